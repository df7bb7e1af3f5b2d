// Behaviour for the intake form, kept out of the HTML so the Content Security Policy needs no inline script.
document.addEventListener("click", (event) => {
  const contact = event.target.closest("[data-fill-contact]");
  if (!contact) return;
  event.preventDefault();
  const form = contact.closest("form");
  form.querySelector("[name=contact_name]").value = contact.dataset.name;
  form.querySelector("[name=contact_phone]").value = contact.dataset.phone;
  const customer = form.querySelector("[name=customer]");
  if (customer.value !== contact.dataset.customer) {
    customer.value = contact.dataset.customer;
    customer.dataset.site = contact.dataset.site || "";
    customer.dispatchEvent(new Event("change", { bubbles: true }));
  }
  document.getElementById("contact-results").replaceChildren();
});

// After the customer's options arrive, pre-select the caller's site if the search found one.
// Settle, not swap: htmx wires up the new options' hx-trigger only when they settle, and the
// site's change event must reach it to reload the entitlement for that site.
document.addEventListener("htmx:afterSettle", (event) => {
  if (event.detail.target.id !== "customer-options") return;
  const customer = document.querySelector("[name=customer]");
  const site = document.querySelector("[name=site]");
  if (customer && site && customer.dataset.site) {
    site.value = customer.dataset.site;
    delete customer.dataset.site;
    site.dispatchEvent(new Event("change", { bubbles: true }));
  }
});

// Enter in the caller search must not submit the intake form.
document.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && event.target.id === "contact-search") event.preventDefault();
});
