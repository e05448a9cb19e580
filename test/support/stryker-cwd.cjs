// npm run mutate only: Stryker's TAP hook writes a test file's results into the working folder as the process exits,
// and tests that move into temporary folders (yeoman-test) would leave them there. Loaded before the hook, so that
// this exit handler runs first and steps back.
const start = process.cwd();
process.on('exit', () => process.chdir(start));
