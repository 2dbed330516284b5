// Every form: the browser's own checks speak Vietnamese (whatever the browser's language),
// and dd/mm/yyyy date fields get a calendar button that writes the date back as dd/mm/yyyy.
(function () {
  "use strict";

  function message(field) {
    var v = field.validity;
    if (v.valueMissing) {
      var choice = field.tagName === "SELECT" || field.type === "checkbox" ||
        field.type === "radio" || field.type === "file";
      return choice ? "Vui lòng chọn một giá trị." : "Vui lòng nhập trường này.";
    }
    if (v.typeMismatch && field.type === "email") return "Địa chỉ thư điện tử không hợp lệ.";
    if (v.tooLong) return "Nội dung dài quá " + field.maxLength + " ký tự.";
    if (v.rangeUnderflow) return "Giá trị nhỏ nhất là " + field.min + ".";
    if (v.rangeOverflow) return "Giá trị lớn nhất là " + field.max + ".";
    if (v.stepMismatch) return "Vui lòng nhập số nguyên.";
    if (v.badInput || v.typeMismatch || v.patternMismatch) return "Giá trị không đúng định dạng.";
    return "";
  }

  // "invalid" does not bubble: listen in the capture phase, for fields added later too.
  document.addEventListener("invalid", function (event) {
    var field = event.target;
    field.setCustomValidity("");
    field.setCustomValidity(message(field));
  }, true);
  function clear(event) {
    if (event.target.setCustomValidity) event.target.setCustomValidity("");
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);

  var ICON = '<svg width="16" height="16" fill="currentColor" ' +
    'viewBox="0 0 16 16" aria-hidden="true"><path d="M3.5 0a.5.5 0 0 1 .5.5V1h8V.5a.5.5 0 0 1 1 ' +
    '0V1h1a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H2a2 2 0 0 1-2-2V3a2 2 0 0 1 2-2h1V.5a.5.5 0 0 1 .5-.5M1 ' +
    '4v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1V4z"/></svg>';

  function iso(text) {  // dd/mm/yyyy (or d/m/yyyy) -> yyyy-mm-dd, or ""
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text || "");
    if (!m) return "";
    return m[3] + "-" + ("0" + m[2]).slice(-2) + "-" + ("0" + m[1]).slice(-2);
  }

  document.querySelectorAll('input[placeholder="dd/mm/yyyy"]').forEach(function (text) {
    var group = document.createElement("div");
    group.className = "input-group date-group";
    // Moving a field blurs it: one being typed into as the page loads keeps its focus.
    var focused = document.activeElement === text;
    text.parentNode.insertBefore(group, text);
    group.appendChild(text);
    if (focused) text.focus();
    var picker = document.createElement("input");
    picker.type = "date";
    picker.className = "date-picker-native";
    picker.tabIndex = -1;
    picker.setAttribute("aria-hidden", "true");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.title = "Chọn ngày trên lịch";
    button.setAttribute("aria-label", "Chọn ngày trên lịch");
    button.innerHTML = ICON;
    group.appendChild(button);
    group.appendChild(picker);
    // Bootstrap shows a field's error only beside it: keep it shown outside the group.
    var next = group.nextElementSibling;
    if (text.classList.contains("is-invalid") && next && next.classList.contains("invalid-feedback")) {
      next.classList.add("d-block");
    }
    button.addEventListener("click", function () {
      picker.value = iso(text.value);
      if (typeof picker.showPicker === "function") {
        try { picker.showPicker(); return; } catch (e) { /* fall back to focus */ }
      }
      picker.focus();
    });
    picker.addEventListener("change", function () {
      var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(picker.value);
      if (!m) return;
      text.value = m[3] + "/" + m[2] + "/" + m[1];
      text.dispatchEvent(new Event("input", { bubbles: true }));
      text.dispatchEvent(new Event("change", { bubbles: true }));
    });
  });
})();
