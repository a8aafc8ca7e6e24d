//! A leftmost-first search of a few short literals: Teddy, aho-corasick's vectorised
//! searcher, called directly where the CPU runs it (SSSE3 or AVX2), an automaton where it
//! does not.
//!
//! Owns that choice, and the bound both its users search by: a match starting before an
//! offset ends before that offset plus the longest literal. It must give the match an
//! aho-corasick leftmost-first automaton over the same literals gives (the prefilter's and
//! the role markers' tests compare the two).
//!
//! Why direct: the automaton runs Teddy as its prefilter, with a layer of calls per hit that
//! cost a quarter of the search where keywords are dense (40 MB of keyword-dense text: 74 M
//! instructions and 8.6 ms through the automaton, 66 M and 6.6 ms direct). Why the automaton
//! only where Teddy is not: it is a DFA, millions of instructions to build (the role markers'
//! took 4 M, more than a small file's whole scan), and it was built beside Teddy and never
//! searched.

use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};

pub struct Leftmost {
    teddy: Option<packed::Searcher>,
    /// Where Teddy is not.
    automaton: Option<AhoCorasick>,
    /// The longest literal's length.
    longest: usize,
}

impl Leftmost {
    /// The search for `literals`, in their order: where two start at one byte, the first
    /// listed is the match.
    pub fn new<B: AsRef<[u8]>>(literals: &[B]) -> Leftmost {
        let teddy = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(literals)
            .build();
        let automaton = teddy.is_none().then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(literals)
                .expect("a few short literals always build")
        });
        Leftmost {
            teddy,
            automaton,
            longest: literals.iter().map(|l| l.as_ref().len()).max().unwrap_or(0),
        }
    }

    /// The leftmost-first match within `hay[from..to]`: (start, end, literal index).
    pub fn find(&self, hay: &[u8], from: usize, to: usize) -> Option<(usize, usize, usize)> {
        let found = match &self.teddy {
            Some(teddy) => teddy.find_in(hay, Span::from(from..to)),
            None => self
                .automaton
                .as_ref()
                .expect("built where Teddy is not")
                .find(Input::new(hay).range(from..to)),
        };
        found.map(|m| (m.start(), m.end(), m.pattern().as_usize()))
    }

    /// The leftmost-first match of `hay[from..]` if it starts before `before`, searched no
    /// further than such a match can reach: the match the whole rest's search finds (it
    /// fits), with the same literal (every literal starting there fits too).
    pub fn find_starting_before(
        &self,
        hay: &[u8],
        from: usize,
        before: usize,
    ) -> Option<(usize, usize, usize)> {
        let reach = (before + self.longest).saturating_sub(1).min(hay.len());
        self.find(hay, from, reach)
            .filter(|&(start, ..)| start < before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Within a bound or not, the automaton's match over the whole rest.
    #[test]
    fn matches_starting_before_a_bound_are_the_whole_rests() {
        let literals = ["secret", "sec", "AKIA", "IQoJb3JpZ2luX2Vj"];
        let search = Leftmost::new(&literals);
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(literals)
            .unwrap();
        let text = b"x secret AKIA sec IQoJb3JpZ2luX2Vj secre".repeat(3);
        for from in 0..text.len() {
            let whole = automaton
                .find(Input::new(&text).range(from..))
                .map(|m| (m.start(), m.end(), m.pattern().as_usize()));
            assert_eq!(search.find(&text, from, text.len()), whole, "{from}");
            for before in from..=text.len() {
                let want = whole.filter(|&(start, ..)| start < before);
                assert_eq!(search.find_starting_before(&text, from, before), want);
            }
        }
    }
}
