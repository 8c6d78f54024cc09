// The pages' behaviour that is not page-specific, served from the server so the CSP needs no inline handlers:
// a select marked data-autosubmit submits its form; hqdFetch sends the session's CSRF token with a request.
document.addEventListener('DOMContentLoaded', function () {
  document.querySelectorAll('select[data-autosubmit]').forEach(function (el) {
    el.addEventListener('change', function () { el.form.submit(); });
  });
});
window.hqdFetch = function (url, options) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  options = options || {};
  options.headers = Object.assign({}, options.headers || {}, meta ? {'X-CSRF-Token': meta.content} : {});
  options.credentials = 'same-origin';
  return fetch(url, options);
};
