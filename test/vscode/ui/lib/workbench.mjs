// Driving the VS Code workbench (code-server in headless Chromium) the way a user does: the activity bar,
// tree rows, the command palette by command title, context menus, modal dialogs, notifications,
// editors, hovers and webviews. Every wait has a deadline and says what it was waiting for.

class NotYet {
  constructor(detail) { this.detail = detail; }
}

/** What a probe returns while its condition does not hold; `detail` is reported if time runs out. */
export const notYet = (detail) => new NotYet(detail);

/**
 * Polls `probe` until it returns something other than `notYet(...)`, false, null or undefined, and
 * returns that; throws after `timeout` ms with `what` and the last thing seen.
 */
export async function until(what, probe, { timeout = 30_000, interval = 150 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value instanceof NotYet) last = value.detail;
      else if (value !== false && value !== null && value !== undefined) return value;
    } catch (err) {
      last = err instanceof Error ? err.message.split('\n')[0] : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${(timeout / 1000).toFixed(0)} s waiting for ${what}` +
        (last === undefined ? '' : ` (last seen: ${typeof last === 'string' ? last : JSON.stringify(last)})`));
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/** Text as rendered: Monaco renders spaces as no-break spaces. */
export const plain = (s) => (s ?? '').replace(/\u00a0/g, ' ').replace(/[ \t]+/g, ' ').trim();

/** Opens the workbench and waits until it is laid out. */
export async function openWorkbench(page, url, timeout = 90_000) {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout });
}

/** Clicks the activity bar item of a view container (by its title) unless it is already open. */
export async function openViewContainer(page, title, timeout = 60_000) {
  const item = page.locator(`.activitybar .action-item .action-label[aria-label^="${title}"]`).first();
  await item.waitFor({ timeout });
  const checked = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
  if (!checked) await item.click();
}

/**
 * Drags the primary side bar's edge so that the side bar is `width` pixels wide (long tree labels
 * and their descriptions then fit in a screenshot).
 */
export async function resizeSideBar(page, width, timeout = 10_000) {
  await page.keyboard.press('Escape'); // a menu or hover in the way
  const sidebar = page.locator('.part.sidebar').first();
  const sash = page.locator('.monaco-sash.vertical.primary-sidebar-sash').first();
  await sash.waitFor({ state: 'visible', timeout });
  const side = await sidebar.boundingBox();
  const box = await sash.boundingBox();
  if (!side || !box) throw new Error('the side bar or its sash has no position on the page');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(side.x + width, y, { steps: 8 });
  await page.mouse.up();
  // Off the sash again, so that its hover highlight is not in the next screenshot.
  await parkMouse(page);
  await until(`the side bar to be ${width} px wide`, async () => {
    const w = (await sidebar.boundingBox())?.width ?? 0;
    return Math.abs(w - width) <= 4 ? w : notYet(w);
  }, { timeout });
}

/** The tree of a view, by the view's name (its pane header's aria-label). */
export function viewTree(page, viewName) {
  return page.locator(`.pane:has(.pane-header[aria-label^="${viewName}"]) .monaco-list[role="tree"]`).first();
}

/**
 * What the rows of a tree view show: label, description, icon (codicon name), aria-label, in screen
 * order (rows are virtualised: only the rendered ones are returned).
 */
export async function treeRows(page, viewName) {
  return viewTree(page, viewName).evaluate((tree) => {
    const rows = [...tree.querySelectorAll('.monaco-list-row[role="treeitem"]')];
    rows.sort((a, b) => Number(a.getAttribute('aria-posinset')) - Number(b.getAttribute('aria-posinset')));
    return rows.map((row) => {
      const icon = row.querySelector('.custom-view-tree-node-item-icon');
      const codicon = [...(icon?.classList ?? [])].find((c) => c.startsWith('codicon-') && c !== 'codicon-') ?? '';
      return {
        label: row.querySelector('.label-name')?.textContent?.trim() ?? '',
        description: row.querySelector('.label-description')?.textContent?.trim() ?? '',
        icon: codicon.replace(/^codicon-/, ''),
        aria: row.getAttribute('aria-label') ?? '',
      };
    });
  });
}

/** A tree row whose accessible name (what a screen reader says) starts with `prefix`. */
export function treeRow(page, viewName, prefix) {
  return viewTree(page, viewName).locator(`.monaco-list-row[role="treeitem"][aria-label^=${JSON.stringify(prefix)}]`).first();
}

export function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Moves the mouse onto the empty middle of the activity bar, where it hovers nothing: after a click on
 * a palette entry it would otherwise rest on whatever lies under the closed palette and show its hover.
 */
export async function parkMouse(page) {
  const bar = await page.locator('.part.activitybar').first().boundingBox();
  if (bar) await page.mouse.move(bar.x + bar.width / 2, bar.y + bar.height * 0.6);
}

/** Opens the quick input with `key` (F1, Control+P); retries when the key went to nowhere. */
async function openQuickInput(page, key, timeout) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('Escape');
  await until(`the quick input to open with ${key}`, async () => {
    if (!(await input.isVisible())) {
      // A page without keyboard focus (fresh, or after a dialog) drops the key: focus the workbench.
      if (!(await page.evaluate(() => document.hasFocus()))) await page.locator('.monaco-workbench').focus();
      await page.keyboard.press(key);
    }
    return input.waitFor({ state: 'visible', timeout: 2000 }).then(() => true);
  }, { timeout });
  return input;
}

/**
 * Runs a command from the palette by its title ("Alembic: Upgrade to Head"): F1, type the title, wait
 * for the entry with exactly that label, click it.
 */
export async function runCommand(page, title, timeout = 15_000) {
  const input = await openQuickInput(page, 'F1', timeout);
  await input.fill(`>${title}`);
  // The entry's accessible name is "Category: Title", maybe followed by ", recently used" and the like.
  const name = JSON.stringify(title);
  const entry = page.locator(`.quick-input-list .monaco-list-row:is([aria-label=${name}], [aria-label^=${JSON.stringify(`${title}, `)}])`).first();
  await entry.waitFor({ state: 'visible', timeout });
  await entry.click();
  await parkMouse(page);
  await input.waitFor({ state: 'hidden', timeout });
}

/** A notification toast whose text matches `pattern`, once faded in; returns its text. */
export async function waitForToast(page, pattern, timeout = 60_000) {
  const toast = page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: pattern }).first();
  await toast.waitFor({ state: 'visible', timeout });
  return plain(await toast.innerText());
}

/** Hides the toasts that are showing (they stay in the notification center). */
export async function hideToasts(page) {
  const center = page.locator('.notifications-toasts .notification-toast');
  if ((await center.count()) === 0) return;
  // "Clear All" rather than hiding: nothing left over the next screenshots.
  await runCommand(page, 'Notifications: Clear All Notifications');
  await until('the notification toasts to go', async () => (await center.count()) === 0, { timeout: 10_000 });
}

/** The modal dialog showing: `{ message, detail, buttons }`. */
export async function modalDialog(page, timeout = 30_000) {
  const box = page.locator('.monaco-dialog-box').first();
  await box.waitFor({ state: 'visible', timeout });
  return {
    box,
    message: plain(await box.locator('.dialog-message-text').innerText().catch(() => '')),
    detail: plain(await box.locator('.dialog-message-detail').innerText().catch(() => '')),
    buttons: (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map(plain),
  };
}

export async function clickDialogButton(page, label, timeout = 10_000) {
  const box = page.locator('.monaco-dialog-box').first();
  await box.locator('.dialog-buttons .monaco-button', { hasText: new RegExp(`^${escapeRegExp(label)}$`) }).first().click({ timeout });
  await parkMouse(page);
  await box.waitFor({ state: 'hidden', timeout });
}

/** Right-clicks `target` and picks `item` from its context menu. */
export async function contextMenu(page, target, item, timeout = 10_000) {
  await target.click({ button: 'right' });
  const entry = page.getByRole('menuitem', { name: item, exact: true }).first();
  await entry.waitFor({ state: 'visible', timeout });
  // A menu ignores a click that comes too soon after it opened; the item then stays focused under
  // the mouse and Enter chooses it.
  await until(`the context menu item "${item}" to be chosen`, async () => {
    if (await entry.isVisible()) {
      await entry.hover();
      await page.keyboard.press('Enter');
    }
    return entry.waitFor({ state: 'hidden', timeout: 1000 }).then(() => true);
  }, { timeout });
  await parkMouse(page);
}

/** Opens a file of the workspace with Quick Open (Ctrl+P) by its name. */
export async function quickOpen(page, fileName, timeout = 15_000) {
  const input = await openQuickInput(page, 'Control+P', timeout);
  await input.fill(fileName);
  // File entries are named "<name> <folder>, file results".
  const entry = page.locator(`.quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(`${fileName} `)}]`).first();
  await entry.waitFor({ state: 'visible', timeout });
  await entry.click();
  await parkMouse(page);
  await activeTab(page, new RegExp(`^${escapeRegExp(fileName)}`), timeout);
}

/** Waits until the active editor tab's label matches; returns the label. */
export async function activeTab(page, pattern, timeout = 30_000) {
  return until(`an active editor tab matching ${pattern}`, async () => {
    // The tab's accessible name is the whole file name (its label shows the extension apart).
    const label = (await page.locator('.editor-group-container.active .tabs-container .tab.active').first()
      .getAttribute('aria-label', { timeout: 1000 })) ?? '';
    return pattern.test(label) ? label : notYet(label);
  }, { timeout });
}

/** The active text editor (the focused editor group's). */
export function activeEditor(page) {
  return page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();
}

/** The lines the active editor has rendered, as text. */
export async function visibleEditorText(page) {
  return activeEditor(page).evaluate((ed) => {
    const lines = [...ed.querySelectorAll('.view-lines .view-line')];
    lines.sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    return lines.map((l) => l.textContent ?? '').join('\n').replace(/\u00a0/g, ' ');
  });
}

/**
 * Waits until the active editor shows syntax colours (tokenisation runs after the text is shown): the
 * rendered lines use more than one token colour class.
 */
export async function waitForHighlighting(page, timeout = 15_000) {
  return until('syntax highlighting in the active editor', async () => {
    const classes = await activeEditor(page).evaluate((ed) =>
      new Set([...ed.querySelectorAll('.view-lines .view-line span > span')].map((s) => s.className)).size);
    return classes > 1 ? classes : notYet(`${classes} token class(es)`);
  }, { timeout });
}

/** Hovers the first element matching `selector` in the active editor; returns the hover's text. */
export async function hoverAndRead(page, selector, pattern, timeout = 15_000) {
  const target = activeEditor(page).locator(selector).first();
  await target.waitFor({ state: 'attached', timeout });
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: pattern }).first();
  // A hover can be dismissed by a repaint right after the mouse arrives: move away and back until it shows.
  return until(`a hover matching ${pattern} over ${selector}`, async () => {
    await page.mouse.move(5, 5);
    await target.hover({ force: true });
    await hover.waitFor({ state: 'visible', timeout: 3000 });
    return plain(await hover.innerText());
  }, { timeout });
}

/**
 * The frame that holds a webview's own page (VS Code nests it: iframe.webview > iframe#active-frame),
 * found by an element only that page has.
 */
export async function webviewFrame(page, selector, timeout = 30_000) {
  return until(`a webview showing ${selector}`, async () => {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame()) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    return false;
  }, { timeout });
}
