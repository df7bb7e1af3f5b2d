// Field work on the engineer's phone: the position for check-in and check-out, and signature pads.
// Kept out of the HTML so the Content Security Policy needs no inline script.

// Forms marked data-geolocate ask the phone for its position before they are sent. Without permission,
// without GPS or after eight seconds they go anyway: the time is what counts, the position is a bonus.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-geolocate]");
  if (!form || form.dataset.located || !navigator.geolocation) return;
  event.preventDefault();
  const send = () => { form.dataset.located = "1"; form.requestSubmit(); };
  navigator.geolocation.getCurrentPosition((position) => {
    form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
    form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
    form.querySelector("[name=accuracy_m]").value = Math.round(position.coords.accuracy);
    send();
  }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
});

// Signature pads: the drawing goes into the hidden "signature" field as a PNG data URL.
function setUpSignaturePad(form) {
  const canvas = form.querySelector("canvas.signature-pad");
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  const pad = new window.SignaturePad(canvas, { backgroundColor: "rgb(255, 255, 255)" });
  form.querySelector("[data-signature-clear]").addEventListener("click", () => pad.clear());
  form.addEventListener("submit", (event) => {
    const empty = form.querySelector("[data-signature-empty]");
    if (pad.isEmpty()) {
      event.preventDefault();
      empty.hidden = false;
      return;
    }
    empty.hidden = true;
    form.querySelector("[name=signature]").value = pad.toDataURL("image/png");
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-signature-form]").forEach(setUpSignaturePad);
});
