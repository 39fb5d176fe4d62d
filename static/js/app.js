/* PartyAdmin: small progressive enhancements. Every page works without this file. */
"use strict";

/* "Show" the full ID number in place: the form posts to the reveal URL (which records the
   reveal in the audit log) and the answer replaces the masked number. */
document.addEventListener("submit", async (event) => {
  const form = event.target.closest("form[data-reveal]");
  if (!form) return;
  event.preventDefault();
  const target = document.getElementById(form.dataset.reveal);
  const button = form.querySelector("button");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const data = await response.json();
    target.textContent = data.id_number;
    target.dataset.revealed = "true";
    form.hidden = true;
  } catch (error) {
    if (button) button.disabled = false;
    target.dataset.revealError = String(error);
  }
});
