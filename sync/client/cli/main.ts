process.stderr.write('npm run fieldline: the headless sync client is not built yet in this version of Fieldline.\n');
process.exit(1);
