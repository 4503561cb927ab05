process.stderr.write(
  'npm run shape-service: the Electric-compatible shape service is not built yet in this version of Fieldline.\n',
);
process.exit(1);
