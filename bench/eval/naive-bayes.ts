import { modelTokens } from '../../subgraphs/documents/src/classification/model/features.ts';

// The baseline: textbook multinomial naive Bayes (Manning, Raghavan & Schütze, "Introduction
// to Information Retrieval", fig. 13.2): word counts, Laplace smoothing (add one), log
// prior plus log likelihoods, the largest wins. Same tokens as the model, nothing tuned.

export interface NaiveBayes {
  rank(text: string): { label: string; score: number }[];
}

export function trainNaiveBayes(documents: readonly { text: string; label: string }[]): NaiveBayes {
  const labels = [...new Set(documents.map((document) => document.label))].sort();
  const vocabulary = new Set<string>();
  const counts = new Map(labels.map((label) => [label, new Map<string, number>()]));
  const totals = new Map(labels.map((label) => [label, 0]));
  const docs = new Map(labels.map((label) => [label, 0]));
  for (const { text, label } of documents) {
    docs.set(label, docs.get(label)! + 1);
    const own = counts.get(label)!;
    for (const token of modelTokens(text)) {
      vocabulary.add(token);
      own.set(token, (own.get(token) ?? 0) + 1);
      totals.set(label, totals.get(label)! + 1);
    }
  }
  const size = vocabulary.size;
  return {
    rank(text) {
      const tokens = modelTokens(text).filter((token) => vocabulary.has(token));
      return labels
        .map((label) => {
          let score = Math.log(docs.get(label)! / documents.length);
          const own = counts.get(label)!;
          const denominator = totals.get(label)! + size;
          for (const token of tokens) score += Math.log(((own.get(token) ?? 0) + 1) / denominator);
          return { label, score };
        })
        .sort((a, b) => b.score - a.score || (a.label < b.label ? -1 : 1));
    },
  };
}
