/* Progressive enhancement: "Cetak" opens the print dialog; without JS it links to the print view. */
document.querySelectorAll("[data-print]").forEach(function (el) {
  el.addEventListener("click", function (e) { e.preventDefault(); window.print(); });
});
