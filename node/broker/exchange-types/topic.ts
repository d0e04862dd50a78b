import type { Binding, BindingDestination, ExchangeRouter } from '../binding.js';

class TrieNode {
  readonly children = new Map<string, TrieNode>();
  readonly bindings = new Set<Binding>();

  get empty(): boolean {
    return this.children.size === 0 && this.bindings.size === 0;
  }
}

/** RabbitMQ reads the empty key as zero words (so `*` does not match it), not as one empty word. */
const words = (key: string): string[] => (key === '' ? [] : key.split('.'));

/**
 * Topic routing over a trie of dot-separated words: `*` matches exactly one word, `#` zero or more.
 * Matching walks the trie once per routing key, so cost depends on key length, not on binding count.
 */
export class TopicRouter implements ExchangeRouter {
  private readonly root = new TrieNode();

  add(b: Binding): void {
    let node = this.root;
    for (const word of words(b.routingKey)) {
      let next = node.children.get(word);
      if (!next) node.children.set(word, (next = new TrieNode()));
      node = next;
    }
    node.bindings.add(b);
  }

  remove(b: Binding): void {
    const ws = words(b.routingKey);
    const path: TrieNode[] = [this.root];
    for (const word of ws) {
      const next = path[path.length - 1]!.children.get(word);
      if (!next) return;
      path.push(next);
    }
    path[path.length - 1]!.bindings.delete(b);
    // prune empty branches so the trie does not grow with churn
    for (let i = ws.length; i > 0; i--) {
      if (!path[i]!.empty) break;
      path[i - 1]!.children.delete(ws[i - 1]!);
    }
  }

  route(routingKey: string, _headers: unknown, out: Set<BindingDestination>): void {
    this.match(this.root, words(routingKey), 0, out);
  }

  private match(node: TrieNode, words: string[], i: number, out: Set<BindingDestination>): void {
    if (i === words.length) {
      for (const b of node.bindings) out.add(b.destination);
      const hash = node.children.get('#');
      if (hash) this.match(hash, words, i, out);
      return;
    }
    const exact = node.children.get(words[i]!);
    if (exact) this.match(exact, words, i + 1, out);
    const star = node.children.get('*');
    if (star) this.match(star, words, i + 1, out);
    const hash = node.children.get('#');
    if (hash) {
      // '#' consumes zero or more words
      for (let j = i; j <= words.length; j++) this.match(hash, words, j, out);
    }
  }
}
