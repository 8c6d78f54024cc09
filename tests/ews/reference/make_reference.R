# Regenerates the reference inputs (data/*.csv) and R outputs (out/*.csv, configs.csv) used by
# tests/ews. Run from anywhere:  Rscript tests/ews/reference/make_reference.R
# Needs R >= 4.1 and the 'surveillance' package (Debian: apt-get install r-base-core r-cran-surveillance).
suppressPackageStartupMessages(library(surveillance))
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
dir.create(file.path(here, "data"), showWarnings = FALSE)
dir.create(file.path(here, "out"), showWarnings = FALSE)
options(warn = -1)

num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))

write_input <- function(name, s, labels = NULL, pop = NULL) {
  obs <- observed(s); n <- nrow(obs)
  date <- if (s@epochAsDate) format(epoch(s)) else labels
  rows <- do.call(rbind, lapply(seq_len(ncol(obs)), function(j) {
    d <- data.frame(series = colnames(obs)[j], t = seq_len(n), date = date, count = obs[, j])
    if (!is.null(pop)) d$population <- num(pop[, j])
    d
  }))
  write.csv(rows, file.path(here, "data", paste0(name, ".csv")), row.names = FALSE, quote = FALSE)
}

# ---- data sets -------------------------------------------------------------------------------
data(salmNewport); data(ha.sts); data(rotaBB); data(salmAllOnset)
sets <- list()
sets$salmNewport <- salmNewport                      # weekly, dates, 16 sparse series
ha <- ha.sts; colnames(ha@observed) <- colnames(ha.sts)
sets$ha <- ha                                         # weekly, no dates: index mode, 12 series
sets$rotaBB <- rotaBB                                 # monthly, dates, 5 series
sets$salmAllOnset <- salmAllOnset                     # one long weekly series with dates
# the same long series without dates: reference weeks chosen by index instead of by date
sets$salmAllOnsetIdx <- sts(observed = observed(salmAllOnset), freq = 52, start = c(2001, 1))
colnames(sets$salmAllOnsetIdx@observed) <- colnames(observed(salmAllOnset))
# zero-heavy synthetic weekly series with a varying population (populationOffset)
set.seed(20240501)
n <- 7 * 52 + 10
dates <- seq(as.Date("2015-01-05"), by = "1 week", length.out = n)
pop <- cbind(a = round(seq(1e5, 1.6e5, length.out = n)), b = round(seq(5e4, 4e4, length.out = n)))
lam <- cbind(a = 0.4 * pop[, 1] / 1e5 * (1 + 0.8 * sin(2 * pi * seq_len(n) / 52)), b = rep(0.15, n))
obs <- matrix(rpois(2 * n, lam), ncol = 2, dimnames = list(NULL, c("a", "b")))
obs[100:140, "b"] <- 0; obs[n - 20, "a"] <- 9; obs[n - 3, "b"] <- 4
sets$sparsePop <- sts(observed = obs, epoch = as.numeric(dates), epochAsDate = TRUE, freq = 52,
                      population = pop)
labels <- list(ha = paste0("wk", seq_len(nrow(ha@observed))),
               salmAllOnsetIdx = paste0("wk", seq_len(nrow(observed(salmAllOnset)))))
for (nm in names(sets)) write_input(nm, sets[[nm]], labels[[nm]],
                                    if (nm == "sparsePop") pop else NULL)

# ---- configurations ----------------------------------------------------------------------------
ears <- list(C1_a001 = list(method = "C1", alpha = 0.001), C2_a001 = list(method = "C2", alpha = 0.001),
             C3_a001 = list(method = "C3", alpha = 0.001), C1_default = list(method = "C1"),
             C3_default = list(method = "C3"), C2_b10_ms05 = list(method = "C2", baseline = 10, minSigma = 0.5),
             C1_a05_b3 = list(method = "C1", alpha = 0.05, baseline = 3))
spec7 <- list(noPeriods = 10, populationOffset = FALSE, w = 3, weightsThreshold = 2.58,
              pastWeeksNotIncluded = 26, pThresholdTrend = 1, trend = TRUE,
              thresholdMethod = "nbPlugin", alpha = 0.01)
flex <- list(spec7 = spec7)
for (m in c("nbPlugin", "delta", "muan")) for (np in c(10, 1))
  flex[[paste0("l54_0_4_", m, "_np", np)]] <- modifyList(spec7, list(limit54 = c(0, 4), thresholdMethod = m,
                                                                      noPeriods = np))
flex$defaults <- list(w = 3, alpha = 0.01)
flex$notrend <- modifyList(spec7, list(trend = FALSE))
flex$l54_3_2 <- modifyList(spec7, list(limit54 = c(3, 2)))
flex$delta_sqrt <- modifyList(spec7, list(limit54 = c(0, 4), thresholdMethod = "delta", powertrans = "1/2"))
flex$delta_none_a05 <- modifyList(spec7, list(limit54 = c(0, 4), thresholdMethod = "delta", powertrans = "none",
                                              alpha = 0.05, pThresholdTrend = 0.05))
flex$noreweight <- modifyList(spec7, list(limit54 = c(0, 4), reweight = FALSE))
flex$np4_pw8_w2 <- modifyList(spec7, list(limit54 = c(0, 4), noPeriods = 4, pastWeeksNotIncluded = 8, w = 2,
                                          thresholdMethod = "muan"))
farr <- list(spec7 = list(w = 3, alpha = 0.01), l54_0_4 = list(w = 3, alpha = 0.01, limit54 = c(0, 4)),
             notrend = list(w = 3, alpha = 0.01, trend = FALSE, limit54 = c(0, 4)),
             sqrt = list(w = 3, alpha = 0.05, powertrans = "1/2", limit54 = c(0, 4)),
             noreweight_w2 = list(w = 2, alpha = 0.01, reweight = FALSE, limit54 = c(0, 4)))

manifest <- list()
params_str <- function(ctl) paste(vapply(names(ctl), function(k) {
  v <- ctl[[k]]; v <- if (is.logical(v)) tolower(as.character(v)) else as.character(v)
  paste0(k, "=", paste(v, collapse = ","))
}, ""), collapse = ";")

emit <- function(set, cfg, algo, res, rng, ctl) {
  obs <- observed(sets[[set]])
  ub <- upperbound(res); al <- alarms(res)
  out <- do.call(rbind, lapply(seq_len(ncol(obs)), function(j)
    data.frame(series = colnames(obs)[j], t = rng, upperbound = num(ub[, j]),
               alarm = ifelse(is.na(al[, j]), "NA", as.integer(al[, j])))))
  write.csv(out, file.path(here, "out", paste0(set, "__", algo, "__", cfg, ".csv")), row.names = FALSE,
            quote = FALSE)
  manifest[[length(manifest) + 1]] <<- data.frame(dataset = set, algorithm = algo, config = cfg,
                                                  range_from = min(rng), range_to = max(rng),
                                                  params = params_str(ctl))
}

for (set in names(sets)) {
  s <- sets[[set]]; n <- nrow(observed(s)); rng <- (n - 51):n; f <- s@freq
  bflex <- if (f * 5 + 3 + 1 <= n - 51) 5 else 3
  bfar <- if (f * 5 - 3 <= n - 51) 5 else 3
  cat(set, "n =", n, "b =", bflex, bfar, "\n")
  for (cfg in names(ears)) {
    ctl <- ears[[cfg]]
    res <- earsC(s, control = c(list(range = rng), ctl))
    meth <- ctl$method; ctl$method <- NULL
    emit(set, cfg, paste0("ears", meth), res, rng, ctl)
  }
  for (cfg in names(flex)) {
    if (set == "rotaBB" && grepl("np4_pw8", cfg)) next
    ctl <- c(list(b = bflex), flex[[cfg]])
    res <- farringtonFlexible(s, control = c(list(range = rng), ctl))
    emit(set, cfg, "farringtonFlexible", res, rng, ctl)
  }
  if (set == "sparsePop") {
    ctl <- modifyList(c(list(b = bflex), spec7), list(populationOffset = TRUE, limit54 = c(0, 4)))
    res <- farringtonFlexible(s, control = c(list(range = rng), ctl))
    emit(set, "popoffset", "farringtonFlexible", res, rng, ctl)
  }
  for (cfg in names(farr)) {
    ctl <- c(list(b = bfar), farr[[cfg]])
    res <- farrington(s, control = c(list(range = rng), ctl))
    emit(set, cfg, "farrington", res, rng, ctl)
  }
}
write.csv(do.call(rbind, manifest), file.path(here, "configs.csv"), row.names = FALSE, quote = TRUE)
writeLines(c(R.version.string, paste("surveillance", packageVersion("surveillance"))),
           file.path(here, "R_VERSION.txt"))
