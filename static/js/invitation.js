/* A personal invitation on the day: the page joins by itself by posting its form once
   (a mail client's link preview runs no script, so it joins nobody). After a refusal
   the server renders the form without data-auto, so nothing loops. */
(function () {
  "use strict";
  var form = document.getElementById("accept-invitation");
  if (form && form.dataset.auto === "yes") form.submit();
})();
