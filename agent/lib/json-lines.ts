// Docker's streamed answers (pull and push progress, events) are one JSON object per line.
import { StringDecoder } from 'node:string_decoder'

/** Each line of `source` parsed; a multi-byte character or a line may be split across chunks. */
export async function* jsonLines(source: AsyncIterable<Buffer | string>): AsyncGenerator<any> {
  const text = new StringDecoder('utf8')
  let rest = ''
  for await (const chunk of source) {
    rest += typeof chunk === 'string' ? chunk : text.write(chunk)
    let nl: number
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl).trim()
      rest = rest.slice(nl + 1)
      if (line) yield JSON.parse(line)
    }
  }
  if (rest.trim()) yield JSON.parse(rest)
}
