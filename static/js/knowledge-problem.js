// A problem's page: the "permanent fix" box is asked for only when the problem is being marked fixed,
// and unlinking an incident asks first. Kept out of the HTML so the Content Security Policy needs no inline script.
(() => {
  const form = document.querySelector("[data-testid=problem-status-form]");
  if (form) {
    const status = form.querySelector("[name=status]");
    const fix = form.querySelector("[name=fix]");
    const box = fix && fix.closest(".mb-3");
    const show = () => {
      if (box) box.hidden = status.value !== "fixed";
    };
    status.addEventListener("change", show);
    show();
  }
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  });
})();
