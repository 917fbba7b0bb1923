import { wordVectors } from '@docuvault/documents/classification/model/word-vectors';

// The classifier's word vectors are converted from their package once per installation
// (about 20 s and a gigabyte, in a child process). Done here, once, before the tests, so that
// no test pays it inside its timeout and parallel test processes do not all convert at once.
export default function warmWordVectors(): void {
  wordVectors();
}
