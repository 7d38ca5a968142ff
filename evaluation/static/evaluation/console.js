// Django's dual list (filter_horizontal) puts an aria-label on a bare <span> icon, which assistive
// technology ignores and axe reports (aria-prohibited-attr): give the icon the role that allows it.
// After the load handlers (the widget is built in one, which may run after this one is registered).
window.addEventListener("load", () => setTimeout(() => {
  for (const icon of document.querySelectorAll("span.search-label-icon[aria-label]:not([role])")) {
    icon.setAttribute("role", "img");
  }
}));
