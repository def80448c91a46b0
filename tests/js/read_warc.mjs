// Reads a WARC file with warcio and prints what it found as JSON:
// { "records": {type: n}, "responses": [{ "uri", "status", "length" }] }.
import fs from 'node:fs';
import { WARCParser } from 'warcio';

const parser = new WARCParser(fs.createReadStream(process.argv[2]));
const records = {};
const responses = [];
for await (const record of parser) {
  const type = record.warcType;
  records[type] = (records[type] || 0) + 1;
  const body = await record.readFully(false);
  if (type === 'response') {
    responses.push({
      uri: record.warcTargetURI,
      status: Number(record.httpHeaders.statusCode),
      length: body.length,
    });
  }
}
console.log(JSON.stringify({ records, responses }));
