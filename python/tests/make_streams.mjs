// python/tests/make_streams.mjs
//	Writes Arrow IPC streams with the reference JavaScript implementation
//	(apache-arrow from npm), for the Python reader's tests to decode.
//
//	node make_streams.mjs cases OUTDIR
//		one stream per case, OUTDIR/<case>.arrow, and OUTDIR/expected.json:
//		{case: {rows, columns: {name: [value, ...]}}} with every value in a
//		JSON form the test compares with (see "Expected values" below)
//	node make_streams.mjs ticks ROWS FILE
//		ROWS rows of the benchmarks' "ticks" shape (see ticksBatch), in
//		record batches of 16,384 rows, each with its own symbol dictionary
//
//	The streams carry exactly the types the server writes (issue 13): Int16/
//	32/64, Float32/64, Bool, Decimal128, Utf8 (plain and dictionary-encoded
//	with Int16 indices, the dictionary replaced before each batch), Binary,
//	Date32, Time64(us), Timestamp(us) with and without "UTC", Interval
//	(MONTH_DAY_NANO), FixedSizeBinary(16) with the arrow.uuid extension name,
//	List<Int32> and List<Utf8>.  Values are laid out in raw buffers here, so
//	what apache-arrow contributes is the framing and the flatbuffer metadata
//	(schema, record batches, dictionary batches), and its own builders for
//	the plain integer, float, bool, text and list columns.
//
//	Expected values: null for NULL; integers as numbers, Int64 as decimal
//	strings; floats as numbers or "NaN", "Infinity", "-Infinity"; decimals as
//	their text ("-12.50"); Binary as hex; Date32 as days, Time64 as
//	microseconds, timestamps as microseconds since the epoch (strings);
//	intervals as [months, days, "nanoseconds"]; uuids as their text; lists
//	as arrays of element values.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	Binary, Bool, DateDay, Decimal, Dictionary, Field, FixedSizeBinary, Float32,
	Float64, Int16, Int32, Int64, IntervalMonthDayNano, List, RecordBatch,
	RecordBatchStreamWriter, Schema, Struct, TimeMicrosecond, TimestampMicrosecond,
	Utf8, makeData, vectorFromArray,
} from 'apache-arrow';

const CHUNK_ROWS = 16384;

// --------------------------------------------------------------------------
// Raw buffers
// --------------------------------------------------------------------------

// nullBitmap(values): the validity bitmap of values (null/undefined = NULL),
// LSB first, and the null count.
function nullBitmap(values) {
	const bitmap = new Uint8Array(Math.ceil(values.length / 8));
	let nullCount = 0;
	values.forEach((v, i) => {
		if (v === null) nullCount++;
		else bitmap[i >> 3] |= 1 << (i & 7);
	});
	return { nullBitmap: bitmap, nullCount };
}

// fixedData(type, width, values, put): a Data of fixed-width values, each
// written at its offset into a DataView by put(view, offset, value).
function fixedData(type, width, values, put) {
	const bytes = new Uint8Array(values.length * width);
	const view = new DataView(bytes.buffer);
	values.forEach((v, i) => {
		if (v !== null) put(view, i * width, v);
	});
	return makeData({ type, length: values.length, data: bytes, ...nullBitmap(values) });
}

// putInt128(view, offset, big): a two's complement little-endian int128.
function putInt128(view, offset, big) {
	const u = BigInt.asUintN(128, big);
	view.setBigUint64(offset, u & 0xFFFFFFFFFFFFFFFFn, true);
	view.setBigUint64(offset + 8, u >> 64n, true);
}

// decimalUnscaled("-12.5", 2): the unscaled integer of a decimal's text.
function decimalUnscaled(text, scale) {
	const negative = text.startsWith('-');
	const [whole, frac = ''] = text.replace('-', '').split('.');
	const digits = BigInt(whole + frac.padEnd(scale, '0'));
	return negative ? -digits : digits;
}

function uuidBytes(text) {
	return Buffer.from(text.replace(/-/g, ''), 'hex');
}

// --------------------------------------------------------------------------
// Column kinds: each turns a list of values into an apache-arrow Data and
// into expected JSON values.
// --------------------------------------------------------------------------

const same = (v) => v;
const text = (v) => String(v);

// Each kind: field(name) -> Field, data(values) -> Data, expect(value) -> JSON.
const KINDS = {
	int16: builderKind(new Int16(), same),
	int32: builderKind(new Int32(), same),
	int64: builderKind(new Int64(), text, (v) => (v === null ? null : BigInt(v))),
	float32: builderKind(new Float32(), floatJson),
	float64: builderKind(new Float64(), floatJson),
	bool: builderKind(new Bool(), same),
	utf8: builderKind(new Utf8(), same),
	binary: {
		field: (name) => new Field(name, new Binary(), true),
		data: (values) => vectorFromArray(
			values.map((v) => (v === null ? null : Buffer.from(v, 'hex'))), new Binary()).data[0],
		expect: same,
	},
	decimal: {
		field: (name) => new Field(name, new Decimal(2, 12, 128), true),
		data: (values) => fixedData(new Decimal(2, 12, 128), 16, values,
			(view, off, v) => putInt128(view, off, decimalUnscaled(v, 2))),
		expect: same,
	},
	decimal38: {
		field: (name) => new Field(name, new Decimal(0, 38, 128), true),
		data: (values) => fixedData(new Decimal(0, 38, 128), 16, values,
			(view, off, v) => putInt128(view, off, decimalUnscaled(v, 0))),
		expect: same,
	},
	date: rawKind(new DateDay(), 4, (view, off, v) => view.setInt32(off, v, true)),
	time: rawKind(new TimeMicrosecond(), 8, (view, off, v) => view.setBigInt64(off, BigInt(v), true), text),
	timestamp: rawKind(new TimestampMicrosecond(), 8,
		(view, off, v) => view.setBigInt64(off, BigInt(v), true), text),
	timestamptz: rawKind(new TimestampMicrosecond('UTC'), 8,
		(view, off, v) => view.setBigInt64(off, BigInt(v), true), text),
	interval: rawKind(new IntervalMonthDayNano(), 16, (view, off, [m, d, ns]) => {
		view.setInt32(off, m, true);
		view.setInt32(off + 4, d, true);
		view.setBigInt64(off + 8, BigInt(ns), true);
	}, ([m, d, ns]) => [m, d, String(ns)]),
	uuid: {
		field: (name) => new Field(name, new FixedSizeBinary(16), true,
			new Map([['ARROW:extension:name', 'arrow.uuid']])),
		data: (values) => fixedData(new FixedSizeBinary(16), 16, values,
			(view, off, v) => uuidBytes(v).forEach((b, k) => view.setUint8(off + k, b))),
		expect: same,
	},
	int32_list: listKind(new Int32()),
	utf8_list: listKind(new Utf8()),
};

function floatJson(v) {
	return Number.isFinite(v) ? v : String(v);
}

// builderKind: values built by apache-arrow's own builders.
function builderKind(type, expect, toInput = same) {
	return {
		field: (name) => new Field(name, type, true),
		data: (values) => vectorFromArray(values.map(toInput), type).data[0],
		expect,
	};
}

// rawKind: fixed-width values written by put (see fixedData).
function rawKind(type, width, put, expect = same) {
	return {
		field: (name) => new Field(name, type, true),
		data: (values) => fixedData(type, width, values, put),
		expect,
	};
}

function listKind(elementType) {
	const type = new List(new Field('item', elementType, true));
	return {
		field: (name) => new Field(name, type, true),
		data: (values) => vectorFromArray(values, type).data[0],
		expect: same,
	};
}

// --------------------------------------------------------------------------
// Cases
// --------------------------------------------------------------------------

// One list of values per kind; every list holds a NULL.
const ALL_TYPES = {
	int16: [1, null, -32768, 32767, 0, 7],
	int32: [null, -2147483648, 2147483647, 0, 42, -1],
	int64: ['9223372036854775807', '-9223372036854775808', null, '0', '9007199254740993', '-5'],
	float32: [1.5, NaN, null, Infinity, -Infinity, -2.25],
	float64: [0.1, NaN, Infinity, -Infinity, null, -0.0],
	bool: [true, false, null, true, true, false],
	utf8: ['a', '', null, 'héllo wörld', '日本語', 'x'.repeat(300)],
	binary: ['00ff10', '', null, 'deadbeef', '00', '7f'],
	decimal: ['-12.50', '0.00', '99999999.99', null, '-0.01', '1234567890.12'],
	decimal38: ['99999999999999999999999999999999999999', '-99999999999999999999999999999999999999',
		'0', null, '18446744073709551616', '-9223372036854775809'],
	date: [0, -719162, 2932896, null, 19724, -1],
	time: [0, 86399999999, null, 1, 43200000000, 3600000001],
	timestamp: ['0', '-62135596800000000', '253402300799999999', null, '1704186000000001', '-1'],
	timestamptz: ['1704186000001000', null, '0', '-1', '946684800000000', '4102444800000000'],
	interval: [[0, 0, 0], [14, -3, 3723000000000], null, [-1, 1, -1000], [0, 40, 0], [1200, 0, 1]],
	uuid: ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null, '00000000-0000-0000-0000-000000000000',
		'ffffffff-ffff-ffff-ffff-ffffffffffff', '123e4567-e89b-12d3-a456-426614174000',
		'00112233-4455-6677-8899-aabbccddeeff'],
	int32_list: [[1, 2, 3], [], null, [null, 5], [-1], [2147483647, -2147483648]],
	utf8_list: [['a', 'b'], null, [], ['', null, 'ü'], ['x'], ['y', 'z']],
};

// kindsCase(values, batchSizes): a case of the kinds in values, the rows
// split into record batches of the given sizes.
function kindsCase(values, batchSizes) {
	const names = Object.keys(values);
	const schema = new Schema(names.map((n) => KINDS[n].field(n)));
	const batches = [];
	let start = 0;
	for (const size of batchSizes) {
		batches.push(makeBatch(schema, names.map(
			(n) => KINDS[n].data(values[n].slice(start, start + size))), size));
		start += size;
	}
	const columns = Object.fromEntries(names.map(
		(n) => [n, values[n].map((v) => (v === null ? null : KINDS[n].expect(v)))]));
	return { schema, batches, expected: { rows: start, columns } };
}

function makeBatch(schema, children, length) {
	return new RecordBatch(schema, makeData({
		type: new Struct(schema.fields), length, nullCount: 0, children,
	}));
}

// dictionaryData(dictionaries, codes): a dictionary-encoded Utf8 column
// with Int16 indices (null code = NULL) over the dictionary vector made of
// the given chunks: more than one chunk makes the writer send deltas.
function dictionaryData(type, chunks, codes) {
	const dictionary = chunks
		.map((c) => vectorFromArray(c, new Utf8()))
		.reduce((a, b) => a.concat(b));
	const bytes = new Int16Array(codes.map((c) => (c === null ? 0 : c)));
	return makeData({
		type, length: codes.length, data: bytes, dictionary, ...nullBitmap(codes),
	});
}

// The dictionary case: a dictionary replaced before every batch (values
// coming and going, long values), a batch whose dictionary arrives as a
// replacement plus a delta, an all-NULL batch with an empty dictionary, a
// dictionary of many short values and one very long one (which the reader
// keeps as objects rather than fixed-width bytes), and a plain int32 column
// beside it.
function dictionaryCase() {
	const type = new Dictionary(new Utf8(), new Int16(), 0);
	const schema = new Schema([new Field('sym', type, true), new Field('n', new Int32(), true)]);
	const long = 'L'.repeat(5000);
	const plan = [
		{ chunks: [['AAPL', 'MSFT', 'IBM']], codes: [0, 1, 2, 1, null, 0] },
		{ chunks: [['IBM', 'ORCL', long]], codes: [2, 0, 1, null] },
		{ chunks: [['b'], ['a', 'AAPL']], codes: [2, 1, 0, 0] },
		{ chunks: [[]], codes: [null, null] },
		{ chunks: [['zz', '']], codes: [1, 0, 1] },
		{ chunks: [[...Array.from({ length: 100 }, (_, k) => `k${k}`), 'X'.repeat(100000)]],
			codes: [100, 3, null, 99] },
	];
	const batches = [];
	const sym = [];
	const n = [];
	for (const { chunks, codes } of plan) {
		const values = chunks.flat();
		const ns = codes.map((_, i) => n.length + i);
		sym.push(...codes.map((c) => (c === null ? null : values[c])));
		n.push(...ns);
		batches.push(makeBatch(schema, [dictionaryData(type, chunks, codes),
			vectorFromArray(ns, new Int32()).data[0]], codes.length));
	}
	return { schema, batches, expected: { rows: n.length, columns: { sym, n } } };
}

// --------------------------------------------------------------------------
// The "ticks" shape: id int8, symbol (dictionary text), ts timestamptz,
// price float8, qty int4, oid int8.  Row i (1-based): id = i, symbol =
// 'S' + (i % SYMBOLS), ts = TICKS_TS0 + i ms, price = ((i * 7919) % 100000)
// / 100, qty = i % 1000 + 1, oid = i * 3; each batch's dictionary lists its
// symbols in order of first appearance (the order of a frame's chunks).
// --------------------------------------------------------------------------

const SYMBOLS = 1000;
const TICKS_TS0 = 1704186000000000n; // 2024-01-02 09:00:00 UTC, in us

const TICKS_SCHEMA = new Schema([
	new Field('id', new Int64(), false),
	new Field('symbol', new Dictionary(new Utf8(), new Int16(), 0), true),
	new Field('ts', new TimestampMicrosecond('UTC'), true),
	new Field('price', new Float64(), true),
	new Field('qty', new Int32(), true),
	new Field('oid', new Int64(), true),
]);

function ticksBatch(first, length) {
	const id = new BigInt64Array(length);
	const ts = new BigInt64Array(length);
	const oid = new BigInt64Array(length);
	const price = new Float64Array(length);
	const qty = new Int32Array(length);
	const codes = new Int16Array(length);
	const symbols = [];
	const codeOf = new Map();
	for (let k = 0; k < length; k++) {
		const i = first + k;
		const s = i % SYMBOLS;
		if (!codeOf.has(s)) {
			codeOf.set(s, symbols.length);
			symbols.push(`S${s}`);
		}
		id[k] = BigInt(i);
		codes[k] = codeOf.get(s);
		ts[k] = TICKS_TS0 + BigInt(i) * 1000n;
		price[k] = ((i * 7919) % 100000) / 100;
		qty[k] = (i % 1000) + 1;
		oid[k] = BigInt(i) * 3n;
	}
	const [fId, fSym, fTs, fPrice, fQty, fOid] = TICKS_SCHEMA.fields.map((f) => f.type);
	return makeBatch(TICKS_SCHEMA, [
		makeData({ type: fId, length, data: id }),
		makeData({ type: fSym, length, data: codes, dictionary: vectorFromArray(symbols, new Utf8()) }),
		makeData({ type: fTs, length, data: ts }),
		makeData({ type: fPrice, length, data: price }),
		makeData({ type: fQty, length, data: qty }),
		makeData({ type: fOid, length, data: oid }),
	], length);
}

function* ticksBatches(rows) {
	for (let first = 1; first <= rows; first += CHUNK_ROWS) {
		yield ticksBatch(first, Math.min(CHUNK_ROWS, rows - first + 1));
	}
}

// --------------------------------------------------------------------------
// main
// --------------------------------------------------------------------------

function streamBytes(schema, batches) {
	const writer = new RecordBatchStreamWriter();
	writer.reset(undefined, schema);
	for (const b of batches) writer.write(b);
	writer.finish();
	return writer.toUint8Array(true);
}

function writeCases(dir) {
	mkdirSync(dir, { recursive: true });
	const cases = {
		all_types: kindsCase(ALL_TYPES, [2, 3, 1]),
		one_row: kindsCase(Object.fromEntries(
			Object.entries(ALL_TYPES).map(([k, v]) => [k, [v.find((x) => x !== null)]])), [1]),
		empty: kindsCase(Object.fromEntries(Object.keys(ALL_TYPES).map((k) => [k, []])), []),
		dictionary: dictionaryCase(),
	};
	const expected = {};
	for (const [name, { schema, batches, expected: e }] of Object.entries(cases)) {
		writeFileSync(join(dir, `${name}.arrow`), streamBytes(schema, batches));
		expected[name] = e;
	}
	writeFileSync(join(dir, 'expected.json'), JSON.stringify(expected));
}

const [mode, ...args] = process.argv.slice(2);
if (mode === 'cases' && args.length === 1) {
	writeCases(args[0]);
} else if (mode === 'ticks' && args.length === 2) {
	writeFileSync(args[1], streamBytes(TICKS_SCHEMA, ticksBatches(Number(args[0]))));
} else {
	console.error('usage: node make_streams.mjs cases OUTDIR | ticks ROWS FILE');
	process.exit(2);
}
