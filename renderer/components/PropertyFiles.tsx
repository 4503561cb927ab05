/** Files attached to the site (plans, photos, certificates): what they are, and whether their bytes are up. */
import type { PropertyDetail } from '../../shared/api/views.js';
import { formatBytes, formatWhen } from '../lib/format.js';

const UPLOAD_LABEL: Record<string, string> = {
  pending: 'Waiting to upload',
  uploaded: 'Uploaded',
  failed: 'Upload failed',
};

export function PropertyFiles({ files, now }: { files: PropertyDetail['files']; now: Date }) {
  return (
    <section className="panel" aria-labelledby="files-heading">
      <h2 id="files-heading">
        Files <span className="heading-count">{files.length || ''}</span>
      </h2>
      {files.length === 0 ? (
        <p className="muted">No files attached to this site.</p>
      ) : (
        <table className="data-table compact-table" aria-labelledby="files-heading">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                Size
              </th>
              <th scope="col">Added</th>
              <th scope="col">Upload</th>
            </tr>
          </thead>
          <tbody>
            {files.map((f) => (
              <tr key={f.id}>
                <td>
                  <div>{f.name}</div>
                  <div className="muted small">{f.caption ? `${f.caption} · ${f.mimeType}` : f.mimeType}</div>
                </td>
                <td className="num">{formatBytes(f.sizeBytes)}</td>
                <td>{f.createdAt ? formatWhen(f.createdAt, now) : '—'}</td>
                <td>{UPLOAD_LABEL[f.uploadStatus] ?? f.uploadStatus}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
