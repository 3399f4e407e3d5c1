// bench/breadth_duckdb.mjs
//	The DuckDB side of bench/breadth.sh: loads the CSV files of hits and
//	lineitem into in-memory DuckDB tables (the DDL of workloads/, unchanged)
//	and runs each query RUNS times per thread count, timing each run as the
//	client's wall time of running it and reading all its rows
//	(connection.runAndReadAll), as ClickBench times a client.
//
//	node bench/breadth_duckdb.mjs QUERIES OUTDIR THREADS RUNS TIMEOUT_S \
//	    HITS_DDL HITS_CSV LINEITEM_DDL LINEITEM_CSV
//	QUERIES: a file of "id<TAB>sql" lines (PostgreSQL spelling); THREADS:
//	comma-separated thread counts ("1,2"); the load itself runs with all
//	the machine's cores.  Prints to stdout, one line each:
//	  version V
//	  load TABLE MS ROWS
//	  spelling ID WHAT          (a change made for DuckDB to parse it)
//	  time THREADS ID RUN MS    (or "timeout" / "error MESSAGE" instead of MS)
//	and writes the rows of the first run of each query to
//	OUTDIR/duckdb_THREADS_ID.txt, one row a line, fields joined by "|".
//	The module comes from bench/duckdb/node_modules (npm ci there).

import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), 'duckdb', 'package.json'));
const duckdb = require('@duckdb/node-api');

const [queriesFile, outDir, threadsArg, runsArg, timeoutArg,
	hitsDdl, hitsCsv, lineitemDdl, lineitemCsv] = process.argv.slice(2);
if (!lineitemCsv) {
	console.error('usage: breadth_duckdb.mjs QUERIES OUTDIR THREADS RUNS TIMEOUT_S HITS_DDL HITS_CSV LINEITEM_DDL LINEITEM_CSV');
	process.exit(2);
}
const threadCounts = threadsArg.split(',').map(Number);
const runs = Number(runsArg);
const timeoutMs = Number(timeoutArg) * 1000;

// The smallest changes for DuckDB to accept a PostgreSQL spelling: [id
// pattern, from, to, what].  None is needed by DuckDB 1.5 for these queries
// (checked by running them); any added here is reported as "spelling".
const SPELLING = [];

function spelled(id, sql) {
	for (const [re, from, to, what] of SPELLING) {
		if (re.test(id) && sql.includes(from)) {
			sql = sql.split(from).join(to);
			console.log(`spelling ${id} ${what}`);
		}
	}
	return sql;
}

// text of a value as psql -At would print it, near enough to compare.
function text(v) {
	if (v === null || v === undefined) return '';
	if (typeof v === 'object' && typeof v.toString === 'function') return v.toString();
	return String(v);
}

const instance = await duckdb.DuckDBInstance.create(':memory:');
const conn = await instance.connect();
console.log(`version ${(await conn.runAndReadAll('SELECT version()')).getRows()[0][0]}`);

for (const [table, ddl, csv] of [['hits', hitsDdl, hitsCsv], ['lineitem', lineitemDdl, lineitemCsv]]) {
	const t0 = performance.now();
	await conn.run(readFileSync(ddl, 'utf8'));
	await conn.run(`COPY ${table} FROM '${csv.replace(/'/g, "''")}' (FORMAT csv, HEADER false, QUOTE '"', ESCAPE '"', ALLOW_QUOTED_NULLS false)`);
	const n = (await conn.runAndReadAll(`SELECT count(*) FROM ${table}`)).getRows()[0][0];
	console.log(`load ${table} ${(performance.now() - t0).toFixed(1)} ${n}`);
}

const queries = readFileSync(queriesFile, 'utf8').split('\n').filter((l) => l.trim() !== '')
	.map((l) => { const tab = l.indexOf('\t'); return [l.slice(0, tab), l.slice(tab + 1)]; });
const sqlOf = new Map(queries.map(([id, sql]) => [id, spelled(id, sql)]));

for (const threads of threadCounts) {
	await conn.run(`SET threads = ${threads}`);
	for (const [id] of queries) {
		const sql = sqlOf.get(id);
		for (let run = 1; run <= runs; run++) {
			let timedOut = false;
			const timer = setTimeout(() => { timedOut = true; conn.interrupt(); }, timeoutMs);
			const t0 = performance.now();
			try {
				const reader = await conn.runAndReadAll(sql);
				const ms = performance.now() - t0;
				clearTimeout(timer);
				console.log(`time ${threads} ${id} ${run} ${ms.toFixed(3)}`);
				if (run === 1) {
					const rows = reader.getRows().map((r) => r.map(text).join('|'));
					writeFileSync(join(outDir, `duckdb_${threads}_${id}.txt`), rows.join('\n') + (rows.length ? '\n' : ''));
				}
			} catch (e) {
				clearTimeout(timer);
				const msg = String(e.message || e).replace(/\s+/g, ' ');
				console.log(`time ${threads} ${id} ${run} ${timedOut ? 'timeout' : 'error ' + msg}`);
				break;
			}
		}
	}
}
conn.closeSync();
instance.closeSync();
