// Prints the plain closing line `N passed, N failed` that CI reads, after jest's own summary.
class SummaryReporter {
    onRunComplete(_contexts, results) {
        const skipped = results.numPendingTests + results.numTodoTests;
        const tail = skipped > 0 ? `, ${skipped} skipped` : '';
        process.stdout.write(`\n${results.numPassedTests} passed, ${results.numFailedTests} failed${tail}\n`);
    }
}
module.exports = SummaryReporter;
