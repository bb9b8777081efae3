"""What the browser tests check on a page: axe-core's rules, reflow, and keyboard use.

Each check returns a list of problems in words (empty when the page passes), so that a failing
test says exactly what is wrong and where.
"""

import contextlib
from dataclasses import dataclass, field

# WCAG 2.1 A and AA (2.0's rules are tagged wcag2a/wcag2aa, 2.1's additions wcag21a/wcag21aa)
# and axe's best practices. Every impact counts, minor included.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}


def axe_violations(page, *, within: str | None = None) -> list[str]:
    """axe-core's violations on the page as it is now (or in the elements matching `within`),
    one line per rule and element. axe-core comes from the axe-playwright-python package."""
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[within]]} if within else None
    results = Axe().run(page, context=context, options=AXE_OPTIONS).response
    problems = []
    for violation in results["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")
            problems.append(
                f"{violation['id']} ({violation['impact']}) at {target}: {summary} "
                f"[{node['html'][:160]}]"
            )
    return problems


# Nothing may stick out of the viewport or be clipped, except inside an element that scrolls
# sideways on purpose (a wide data table in its scroll container: WCAG 1.4.10 allows
# two-dimensional scrolling for content that needs it). Visually hidden text (1 px boxes) and
# hidden elements do not count.
REFLOW_JS = """
() => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const describe = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    if (el.classList.length) s += "." + [...el.classList].join(".");
    const text = (el.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 60);
    return text ? `${s} “${text}”` : s;
  };
  const scrollsX = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const clipsX = (el) => ["hidden", "clip"].includes(getComputedStyle(el).overflowX);
  const tiny = (el) => {
    const r = el.getBoundingClientRect();
    return r.width <= 1 || r.height <= 1;
  };
  // Inside a visually hidden box (1 px, overflow hidden: ds-sr-only, an unfocused skip link).
  const clippedAway = (el) => {
    for (let node = el; node && node !== document.body; node = node.parentElement) {
      if (tiny(node) && getComputedStyle(node).overflow !== "visible") return true;
    }
    return false;
  };
  const reported = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    if (tiny(el) || clippedAway(el)) continue;
    const r = el.getBoundingClientRect();
    let ancestor = el.parentElement;
    let inScroller = false;
    while (ancestor && ancestor !== document.body) {
      if (scrollsX(ancestor)) { inScroller = true; break; }
      ancestor = ancestor.parentElement;
    }
    // Report the outermost offender only, not each of its descendants.
    const parentReported = el.parentElement && reported.has(el.parentElement);
    if (!inScroller && (r.right > vw + 1 || r.left < -1)) {
      reported.add(el);
      if (!parentReported) {
        problems.push(
          `sticks out of the ${vw} px viewport (${Math.round(r.left)} to ` +
          `${Math.round(r.right)} px): ${describe(el)}`
        );
      }
    }
    if (clipsX(el) && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`cut off (${el.scrollWidth} px of content in ${el.clientWidth} px): ${describe(el)}`);
    }
    if (el.tagName === "SELECT" && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`options cut off (${el.scrollWidth} px in ${el.clientWidth} px): ${describe(el)}`);
    }
  }
  const width = document.documentElement.scrollWidth;
  if (width > vw + 1) {
    problems.unshift(`the page scrolls sideways: ${width} px wide in a ${vw} px viewport`);
  }
  return problems;
}
"""


# Every chart's canvas as wide as its box's content again (a chart redraws itself a frame or
# more after the window changes size, later on a busy machine).
CHARTS_FOLLOWED_JS = """
() => [...document.querySelectorAll(".stats-chart canvas")].every((canvas) => {
  const box = canvas.parentElement;
  const style = getComputedStyle(box);
  const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.abs(canvas.getBoundingClientRect().width - inner) <= 1;
})
"""


def reflow_problems(page) -> list[str]:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    # Scripts that follow the viewport (charts) redraw on the next frames after a resize: wait
    # for that rather than for a fixed time. A chart that never follows is for the check below
    # to report, not a reason to stop here.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function(CHARTS_FOLLOWED_JS, timeout=5_000)
    return page.evaluate(REFLOW_JS)


# Keyboard ----------------------------------------------------------------------------------

# The elements Tab should reach, in document order: what the browser makes focusable, less what
# is disabled, hidden, inert or inside a closed <details>. A radio group is one stop.
TABBABLES_JS = """
() => {
  const selector = 'a[href], area[href], button, input, select, textarea, summary, iframe, ' +
    '[tabindex], [contenteditable=""], [contenteditable="true"]';
  const keys = [];
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || el.matches('input[type="hidden"]')) continue;
    const tabindex = el.getAttribute("tabindex");
    if (tabindex !== null && parseInt(tabindex, 10) < 0) continue;
    if (el.closest("[inert]")) continue;
    if (el.tagName === "SUMMARY" && el.parentElement.tagName !== "DETAILS") continue;
    const closed = el.closest("details:not([open])");
    if (closed && !(el.tagName === "SUMMARY" && el.parentElement === closed)) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;
    keys.push(window.__kbKey(el));
  }
  return keys.filter((key, i) => key !== keys[i - 1]);
}
"""

# Run once per page: how to name an element, and what its focus looks like.
KEYBOARD_SETUP_JS = """
() => {
  window.__kbKey = (el) => {
    if (el.matches('input[type="radio"]') && el.name) return `radio group “${el.name}”`;
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const text = (el.getAttribute("aria-label") || el.innerText || el.value || el.name || "")
      .trim().replace(/\\s+/g, " ").slice(0, 50);
    const index = Array.prototype.indexOf.call(document.getElementsByTagName("*"), el);
    return `${s} “${text}” @${index}`;
  };
  // The look of an element and its two nearest ancestors: a focus indicator is any change of
  // outline, shadow, border, background or underline between focused and not focused.
  window.__kbLook = (el) => {
    const parts = [];
    for (let node = el, depth = 0; node && node !== document.body && depth < 3; node = node.parentElement, depth++) {
      const s = getComputedStyle(node);
      parts.push([s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
                  s.backgroundColor, s.textDecorationLine, s.textDecorationThickness].join("|"));
    }
    return parts.join(" / ");
  };
  window.__kbPrevious = null;
  // Start from the top, wherever autofocus put the focus: Tab moves on from a focused element,
  // so focus a marker at the start of the body (not itself a Tab stop).
  const start = document.createElement("span");
  start.id = "kb-walk-start";
  start.tabIndex = -1;
  document.body.prepend(start);
  start.focus();
}
"""

# After each Tab: the focused element, whether it is in the viewport, and whether the element
# focused before it looked different while it had focus (its focus indicator).
KEYBOARD_STEP_JS = """
() => {
  const el = document.activeElement;
  const result = {key: null, inViewport: true, previous: null};
  const previous = window.__kbPrevious;
  if (previous && previous.el === el) {
    // Still the same control: Tab moved between the parts of a date field.
    return {key: previous.key, same: true, inViewport: true, previous: null};
  }
  if (previous) {
    result.previous = {
      key: previous.key,
      skipLink: previous.skipLink,
      indicator: window.__kbLook(previous.el) !== previous.look,
    };
  }
  window.__kbPrevious = null;
  if (!el || el === document.body || el === document.documentElement) return result;
  result.key = window.__kbKey(el);
  const r = el.getBoundingClientRect();
  result.inViewport = r.bottom > 0 && r.right > 0 && r.top < window.innerHeight &&
    r.left < window.innerWidth && r.width > 0 && r.height > 0;
  result.box = [Math.round(r.width), Math.round(r.height)];
  result.skipLink = el.classList.contains("ds-skip-link");
  window.__kbPrevious = {el, key: result.key, skipLink: result.skipLink, look: window.__kbLook(el)};
  return result;
}
"""


@dataclass
class TabWalk:
    """What Tab did on a page, from the top until focus left the page."""

    order: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def tab_walk(page) -> TabWalk:
    """Press Tab from the top of the page until focus leaves it, and check what happened:

    - the first stop is the skip link, visible while it has focus;
    - every stop shows a focus indicator and is scrolled into view;
    - the stops are every focusable control, in document order (no positive tabindex);
    - focus leaves the page after the last control (no trap), and the next Tab starts again
      at the skip link.
    """
    page.evaluate(KEYBOARD_SETUP_JS)
    walk = TabWalk(expected=page.evaluate(TABBABLES_JS))
    positive = page.evaluate(
        "() => [...document.querySelectorAll('[tabindex]')]"
        ".filter(el => parseInt(el.getAttribute('tabindex'), 10) > 0).map(window.__kbKey)"
    )
    walk.problems += [f"positive tabindex changes the order: {key}" for key in positive]
    left = False
    for _ in range(len(walk.expected) + 15):
        page.keyboard.press("Tab")
        step = page.evaluate(KEYBOARD_STEP_JS)
        previous = step["previous"]
        # The skip link is its own indicator: it appears only while it has focus.
        if previous and not previous["indicator"] and not previous["skipLink"]:
            walk.problems.append(f"no visible focus indicator: {previous['key']}")
        if step.get("same"):
            continue
        if step["key"] is None:
            left = True
            break
        if not walk.order:
            if not step.get("skipLink"):
                walk.problems.append(f"the first Tab stop is not the skip link: {step['key']}")
            elif min(step["box"]) < 10:
                walk.problems.append(f"the skip link is not visible when focused: {step['box']}")
        if step["key"] in walk.order and step["key"] != walk.order[-1]:
            walk.problems.append(f"focus came back to {step['key']} before leaving the page")
            break
        if step["key"] != (walk.order[-1] if walk.order else None):
            walk.order.append(step["key"])
        if not step["inViewport"]:
            walk.problems.append(f"focused but not scrolled into view: {step['key']}")
    if not left:
        walk.problems.append(
            f"focus did not leave the page after {len(walk.order)} stops (a keyboard trap?); "
            f"last: {walk.order[-1] if walk.order else None}"
        )
    else:
        page.keyboard.press("Tab")
        again = page.evaluate(KEYBOARD_STEP_JS)
        if walk.order and again["key"] != walk.order[0]:
            walk.problems.append(
                f"after leaving the page, Tab went to {again['key']}, not back to the start"
            )
    page.evaluate("() => document.getElementById('kb-walk-start')?.remove()")
    missing = [key for key in walk.expected if key not in walk.order]
    walk.problems += [f"not reachable with Tab: {key}" for key in missing]
    extra = [key for key in walk.order if key not in walk.expected]
    walk.problems += [f"reached but not expected (hidden or disabled?): {key}" for key in extra]
    if not missing and not extra and walk.order != walk.expected:
        walk.problems.append("the Tab order differs from the document order")
    return walk


def tab_to(page, selector: str, *, limit: int = 300, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"Tab never reached {selector}")
