/* Small behaviours of many pages, kept out of the HTML (the Content-Security-Policy runs
   no inline script). Progressive enhancement: without JS each still works. */
/* "Cetak" opens the print dialog; a link without JS goes to the print view. */
document.querySelectorAll("[data-print]").forEach(function (el) {
  el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
});
/* A filter that applies as soon as it is chosen (its form keeps a submit button). */
document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
  el.addEventListener("change", function () { el.form.submit(); });
});
