// tests/arrow/check.mjs
//	Read an Arrow IPC stream written by shmcache with the reference
//	JavaScript implementation (apache-arrow) and print it for
//	tests/011_arrow.pl: first "# <batches> <field>:<type>,..." then one line
//	per row, its values in the canonical text forms below, joined by "|"
//	("null" for a null):
//	  integers, dates (days since 1970), times and timestamps (microseconds
//	  since midnight / 1970): decimal digits; floats: "NaN" or the IEEE bits
//	  in hex, big endian; bool: true/false; decimal: the number with its
//	  scale; utf8: a JSON string; binary, fixed-size binary: hex; interval:
//	  "months days nanoseconds"; list: "[" elements "]".
//
//	usage: node check.mjs FILE
import { readFileSync } from 'node:fs';
import { tableFromIPC, Type } from 'apache-arrow';

const table = tableFromIPC(readFileSync(process.argv[2]));

function hex(bytes) {
	return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function floatBits(value, width) {
	if (Number.isNaN(value))
		return 'NaN';
	const view = new DataView(new ArrayBuffer(width));
	if (width === 4)
		view.setFloat32(0, value);
	else
		view.setFloat64(0, value);
	return hex(new Uint8Array(view.buffer));
}

function isValid(data, i) {
	if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.length === 0)
		return true;
	const bit = data.offset + i;
	return (data.nullBitmap[bit >> 3] >> (bit & 7)) & 1;
}

// A two's complement little-endian integer of "words" 32-bit words.
function bigFromWords(values, first, words) {
	let v = 0n;
	for (let k = words - 1; k >= 0; k--)
		v = (v << 32n) | BigInt(values[first + k] >>> 0);
	const bits = BigInt(32 * words);
	if (v >> (bits - 1n))
		v -= 1n << bits;
	return v;
}

function decimalText(unscaled, scale) {
	const negative = unscaled < 0n;
	let digits = (negative ? -unscaled : unscaled).toString();
	if (scale > 0) {
		digits = digits.padStart(scale + 1, '0');
		digits = digits.slice(0, digits.length - scale) + '.' + digits.slice(digits.length - scale);
	}
	return (negative ? '-' : '') + digits;
}

// Value "i" of the array "data", in canonical form.
function format(data, i) {
	if (!isValid(data, i))
		return 'null';
	const type = data.type;
	const j = data.offset + i;
	if (data.dictionary)
		return JSON.stringify(data.dictionary.get(data.values[j]));
	switch (type.typeId) {
		case Type.Int:
		case Type.Date:
		case Type.Time:
		case Type.Timestamp:
			return String(data.values[j]);
		case Type.Float:
			return floatBits(data.values[j], type.precision === 1 ? 4 : 8);
		case Type.Bool:
			return String(Boolean((data.values[j >> 3] >> (j & 7)) & 1));
		case Type.Decimal:
			return decimalText(bigFromWords(data.values, 4 * j, 4), type.scale);
		case Type.Utf8:
			return JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(
				data.values.subarray(data.valueOffsets[j], data.valueOffsets[j + 1])));
		case Type.Binary:
			return hex(data.values.subarray(data.valueOffsets[j], data.valueOffsets[j + 1]));
		case Type.FixedSizeBinary:
			return hex(data.values.subarray(j * type.byteWidth, (j + 1) * type.byteWidth));
		case Type.Interval: {
			const v = data.values;
			return `${v[4 * j]} ${v[4 * j + 1]} ${bigFromWords(v, 4 * j + 2, 2)}`;
		}
		case Type.List: {
			const child = data.children[0];
			const items = [];
			for (let k = data.valueOffsets[j]; k < data.valueOffsets[j + 1]; k++)
				items.push(format(child, k - child.offset));
			return '[' + items.join(',') + ']';
		}
		default:
			throw new Error(`unexpected type ${type}`);
	}
}

const fields = table.schema.fields;
console.log(`# ${table.batches.length} ` +
	fields.map(f => `${f.name}:${f.type}${f.metadata.size ? JSON.stringify([...f.metadata]) : ''}`).join(','));
for (const batch of table.batches) {
	const columns = fields.map((f, c) => batch.getChildAt(c).data[0]);
	for (let i = 0; i < batch.numRows; i++)
		console.log(columns.map(d => format(d, i)).join('|'));
}
