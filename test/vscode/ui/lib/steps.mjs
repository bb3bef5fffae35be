// Steps of a UI test: each one passes or fails on its own, is timed, and leaves a screenshot (its own,
// or `NN-name-FAILED.png` taken where it stopped). A step whose prerequisite failed is counted as failed
// without running, with the reason printed. The summary line `N passed, N failed` is what the test
// harness (scripts/test.sh) counts.
import fs from 'node:fs';
import path from 'node:path';

export class Steps {
  /** `page` is set once the browser is up; until then steps take no screenshots. */
  constructor(shotsDir) {
    this.shotsDir = shotsDir;
    this.page = undefined;
    this.results = [];
    fs.mkdirSync(shotsDir, { recursive: true });
  }

  /** `NN-slug.png` in the screenshots folder. */
  shotPath(n, name) {
    return path.join(this.shotsDir, `${String(n).padStart(2, '0')}-${name}.png`);
  }

  /**
   * Runs `fn({ shot })` as step `id`; `needs` names earlier steps that must have passed.
   * `shot(name, settleMs)` saves a screenshot of the page as `NN-name.png` (NN: the step's number).
   */
  async run(id, title, needs, fn) {
    const n = this.results.length + 1;
    const missing = needs.filter((d) => !this.results.some((r) => r.id === d && r.ok));
    if (missing.length > 0) {
      const error = `not run: it needs ${missing.join(', ')}, which failed`;
      this.results.push({ id, title, ok: false, ms: 0, error });
      console.log(`✗ ${n}. ${title}: ${error}`);
      return false;
    }
    const shots = [];
    const shot = async (name, settleMs = 0) => {
      if (!this.page) return;
      if (settleMs) await this.page.waitForTimeout(settleMs);
      const file = this.shotPath(n, name);
      await this.page.screenshot({ path: file });
      shots.push(path.basename(file));
    };
    const t0 = Date.now();
    try {
      await fn({ shot });
      const ms = Date.now() - t0;
      this.results.push({ id, title, ok: true, ms });
      console.log(`✓ ${n}. ${title} (${(ms / 1000).toFixed(1)} s) [${shots.join(', ')}]`);
      return true;
    } catch (err) {
      const ms = Date.now() - t0;
      const error = err instanceof Error ? err.message : String(err);
      this.results.push({ id, title, ok: false, ms, error });
      const file = this.shotPath(n, `${id}-FAILED`);
      await this.page?.screenshot({ path: file }).catch(() => {});
      console.log(`✗ ${n}. ${title} (${(ms / 1000).toFixed(1)} s): ${error}\n    screenshot: ${file}`);
      if (process.env.UI_TEST_VERBOSE && err instanceof Error) console.log(err.stack);
      return false;
    }
  }

  /** Counts every remaining step as failed (setup broke before they could run). */
  failRemaining(plan, reason) {
    for (const [id, title] of plan) {
      if (this.results.some((r) => r.id === id)) continue;
      this.results.push({ id, title, ok: false, ms: 0, error: `not run: ${reason}` });
      console.log(`✗ ${this.results.length}. ${title}: not run: ${reason}`);
    }
  }

  passedStep(id) { return this.results.some((r) => r.id === id && r.ok); }

  get passed() { return this.results.filter((r) => r.ok).length; }
  get failed() { return this.results.filter((r) => !r.ok).length; }

  /** Time per step, for the report. */
  timings() {
    return this.results.map((r, i) => `${i + 1}. ${r.id} ${(r.ms / 1000).toFixed(1)} s${r.ok ? '' : ' (failed)'}`).join(', ');
  }
}
