// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Switch language as soon as a new one is picked; the button stays for no-JS use.
  const select = document.getElementById("language-select");
  if (select) {
    select.addEventListener("change", () => select.form.submit());
  }
  // On a phone the menu folds behind a button, so the page (the map) starts in the first screen.
  const header = document.querySelector(".site-header");
  const button = header && header.querySelector(".menu-button");
  if (button) {
    header.classList.add("has-menu");
    button.hidden = false;
    button.addEventListener("click", () => {
      const open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      header.classList.toggle("menu-open", open);
    });
  }
});
