// The support queue: one checkbox selects or clears every claim on the page.
document.addEventListener("DOMContentLoaded", () => {
  for (const all of document.querySelectorAll("[data-select-all]")) {
    const boxes = document.querySelectorAll(`input[name="${all.dataset.selectAll}"]`);
    all.hidden = false;
    all.addEventListener("change", () => {
      for (const box of boxes) box.checked = all.checked;
    });
  }
});
