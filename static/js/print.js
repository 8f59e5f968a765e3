/* The invitation letters: the print button opens the browser's print dialog (print on
   paper, or "Save as PDF"). */
(function () {
  "use strict";
  var button = document.getElementById("print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
