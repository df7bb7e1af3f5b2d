// A revealed password stays on screen for a short time only: count down, then remove it from the page.
// The server sends it with Cache-Control: no-store, so neither a cache nor the back button keeps it.
(() => {
  if (window.aftersalesReveal) return; // the partial that loads this file may be on a page twice
  window.aftersalesReveal = true;

  function hide(box) {
    const note = document.createElement("span");
    note.className = "small text-secondary";
    note.textContent = box.dataset.revealHiddenText || "";
    box.replaceChildren(note);
    box.removeAttribute("data-reveal-seconds");
  }

  function start(box) {
    if (box.dataset.revealStarted) return;
    box.dataset.revealStarted = "1";
    let left = Number.parseInt(box.dataset.revealSeconds, 10) || 30;
    const countdown = box.querySelector("[data-reveal-countdown]");
    const timer = window.setInterval(() => {
      left -= 1;
      if (countdown) countdown.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        window.clearInterval(timer);
        hide(box);
      }
    }, 1000);
  }

  function startAll() {
    document.querySelectorAll("[data-reveal-seconds]").forEach(start);
  }

  document.addEventListener("DOMContentLoaded", startAll);
  document.addEventListener("htmx:afterSettle", startAll);

  // A refusal (403) or a missing reason (400) is shown where the password would have been;
  // htmx does not swap error responses unless told to.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (form && form.closest("[data-reveal-form]") && [400, 403].includes(event.detail.xhr.status)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // Clear the reason once it has been sent, and every shown password when the page is left.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (form && form.matches && form.matches("[data-reveal-form]")) form.reset();
  });
  window.addEventListener("pagehide", () => document.querySelectorAll("[data-reveal-seconds]").forEach(hide));
})();
