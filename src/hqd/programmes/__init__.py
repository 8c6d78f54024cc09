"""Reform programmes beyond the national assessment (programmes.md): county medical communities, urban
medical groups and referral (§1–3, §7), the five centres, the Thousand County Project, assistance and IT
ratings (§4–6, §8). Each programme is catalog indicators plus a page per unit (`hqd programme …`)."""
