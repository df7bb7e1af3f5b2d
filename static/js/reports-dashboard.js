// The KPI pages' period selector: a day, week, month, quarter or year is chosen by one date inside it, a range by
// its two ends, so only the fields the chosen kind needs are shown. Without script every field shows, and the
// server ignores the ones the kind does not use. Kept out of the HTML: the Content Security Policy allows no inline script.
(() => {
  const RANGE = "range";

  function showFieldsFor(form) {
    const kind = form.querySelector("[name=period]");
    if (!kind) return;
    const range = kind.value === RANGE;
    form.querySelectorAll("[data-period-group]").forEach((group) => {
      group.hidden = (group.dataset.periodGroup === RANGE) !== range;
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-period-form]").forEach(showFieldsFor);
  });

  document.addEventListener("change", (event) => {
    const form = event.target.closest("[data-period-form]");
    if (form && event.target.name === "period") showFieldsFor(form);
  });
})();
