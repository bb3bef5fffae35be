// Mocha's spec reporter, plus a machine-readable summary for scripts/test.sh: when the environment
// names MOCHA_SUMMARY_FILE, the run's counts are written there as JSON at the end of the run
// ({"passed":N,"failed":N,"pending":N,"failures":["title: message", ...]}). Used by the Node tiers
// (`mocha --reporter`) and by the suite entry inside VS Code (test/vscode/index.ts), so that every tier
// is counted the same way. Plain JavaScript because mocha loads it before anything is built.
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on(EVENT_TEST_FAIL, (test, err) => {
      const message = err && typeof err === 'object' && 'message' in err ? String(err.message) : String(err);
      failures.push(`${test.fullTitle()}: ${message.split('\n')[0]}`);
    });
    runner.once(EVENT_RUN_END, () => {
      const file = process.env.MOCHA_SUMMARY_FILE;
      if (!file) return;
      const stats = runner.stats || {};
      fs.writeFileSync(file, JSON.stringify({
        passed: stats.passes || 0,
        // hook failures count here too: a failed before() hides the tests after it
        failed: stats.failures || 0,
        pending: stats.pending || 0,
        failures,
      }) + '\n');
    });
  }
}

module.exports = SummaryReporter;
