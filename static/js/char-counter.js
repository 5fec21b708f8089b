// Every text field with a length limit shows "n / max" below it (a separate file: the strict
// CSP allows no inline script). The server checks the same limit; this only shows it.
document.addEventListener("DOMContentLoaded", () => {
  const fields = document.querySelectorAll(
    "textarea[maxlength], input[maxlength]:not([type=hidden]):not([type=password])"
  );
  for (const field of fields) {
    const max = Number(field.getAttribute("maxlength"));
    if (!max) continue;
    const counter = document.createElement("div");
    counter.className = "form-text char-counter";
    counter.id = `${field.id || field.name}-counter`;
    const update = () => {
      const n = field.value.length;
      counter.textContent = `${n} / ${max}`;
      counter.classList.toggle("char-counter-full", n >= max);
    };
    update();
    field.insertAdjacentElement("afterend", counter);
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
    field.addEventListener("input", update);
  }
});
