/** For public commands whose part is not built yet: say so plainly and fail, rather than pretend. */
export function notYet(command: string, what: string): never {
  process.stderr.write(`${command}: ${what} is not built yet in this version of Fieldline.\n`);
  process.exit(1);
}
