import pg from 'pg';
import { migratedTestDatabase } from '/work/wt-search-scale/devkit/scratch/database.ts';
const db = await migratedTestDatabase('lang');
const c = new pg.Client({ connectionString: db.appUrl }); await c.connect();
const texts = [
  ['Rechnung', 'Die Rechnung wurde am Montag an den Kunden geschickt, und der Betrag ist innerhalb von vierzehn Tagen zu zahlen.'],
  ['Invoice', 'The invoice was sent to the customer on Monday, and the amount is due within fourteen days of the date.'],
  ['r1234', 'ACME-42 r1234 9876'],
  ['Quarterly Invoice', 'payment overdue'],
];
for (const [t, x] of texts) {
  const r = await c.query(`insert into documents (title, original_filename, mime_type, size_bytes, sha256, object_key, extracted_text)
    values ($1, 'a', 'text/plain', 1, encode(sha256(convert_to($1, 'UTF8')), 'hex'), $1, $2) returning language, search_vector::text, rank_vector::text`, [t, x]);
  console.log(r.rows[0]);
}
for (const q of ['Rechnungen', 'invoices', 'zahlen kunde', 'customers', 'payment']) {
  const r = await c.query(`select title from documents, (select websearch_to_tsquery('english', $1) || websearch_to_tsquery('german', $1) || websearch_to_tsquery('simple', $1) q) q where search_vector @@ q.q`, [q]);
  console.log(q, r.rows.map((x) => x.title));
}
const u = await c.query(`update documents set title = 'Die Rechnung ist für den Kunden' where title = 'r1234' returning language`); console.log(u.rows);
await c.end(); await db.drop();
