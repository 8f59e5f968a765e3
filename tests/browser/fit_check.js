/* Every visible text at least `min` px, no element whose content overflows its box. */
(min) => {
  const root = document.getElementById("beamer-root");
  const visible = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const small = [], over = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const e = node.parentElement;
    if (!visible(e)) continue;
    const size = parseFloat(getComputedStyle(e).fontSize);
    if (size < min - 0.05) small.push(`${e.tagName}.${e.className}#${e.id} ${size}px "${node.textContent.trim().slice(0, 30)}"`);
  }
  for (const e of root.querySelectorAll("*")) {
    if (!visible(e) || getComputedStyle(e).display === "inline") continue;
    if (e.closest(".visually-hidden")) continue;  // for screen readers: clipped on purpose
    if (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1) {
      over.push(`${e.tagName}.${e.className}#${e.id} ${e.scrollWidth}x${e.scrollHeight} in ${e.clientWidth}x${e.clientHeight}`);
    }
  }
  const box = document.getElementById("main").getBoundingClientRect();
  if (box.bottom > window.innerHeight + 1 || box.right > window.innerWidth + 1) over.push("main outside the screen");
  return {small, over};
}
