// A "Print" button (data-print) prints the page; kept out of the HTML so the Content Security Policy needs no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
