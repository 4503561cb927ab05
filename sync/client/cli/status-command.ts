/** `fieldline status --db FILE`: the replica report (replica/report.ts) as pretty JSON on stdout. */
import { replicaReport, ReplicaReportError } from '../replica/report.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type StatusCommand } from './args.js';

export type StatusIo = { out: (text: string) => void; err: (text: string) => void };

export function runStatus(cmd: StatusCommand, io: StatusIo): number {
  try {
    const report = replicaReport(cmd.dbFile);
    io.out(`${JSON.stringify(report, null, 2)}\n`);
    if (report.note) io.err(`fieldline status: ${report.note}\n`);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof ReplicaReportError)) throw e;
    io.err(`fieldline status: ${e.message}\n`);
    return e.code === 'no_replica' ? EXIT_USAGE : EXIT_FAILED;
  }
}
