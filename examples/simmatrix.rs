use story_cluster::corpus::{read_paths, ReadOptions};
use story_cluster::text::{prepare, boilerplate};
use story_cluster::vector::{TfIdf, TfIdfOptions};
fn main() {
    let paths: Vec<std::path::PathBuf> = std::env::args().skip(1).map(Into::into).collect();
    let corpus = read_paths(&paths, &ReadOptions::default());
    let prepared = prepare(&corpus.documents, &boilerplate::Options::default());
    let tfidf = TfIdf::build(&prepared.texts, &TfIdfOptions::default());
    let n = tfidf.vectors.len().min(12);
    for i in 0..n {
        let row: Vec<String> = (0..n).map(|j| format!("{:.3}", tfidf.vectors[i].dot(&tfidf.vectors[j]))).collect();
        println!("{} {}", &corpus.documents[i].id[..3.min(corpus.documents[i].id.len())], row.join(" "));
    }
    if std::env::var("PAIRS").is_ok() { for (a,b) in [(0,1),(0,2),(0,3),(2,3),(3,4),(2,4)] { println!("{a}-{b} {:?}", contrib(&tfidf,a,b)); } }
    for i in 0..n { let t: Vec<_> = tfidf.vectors[i].top_terms(8).into_iter().map(|(t,_)| tfidf.term(t).to_owned()).collect(); println!("{} {:?}", i, t); }
}
#[allow(dead_code)]
pub fn contrib(t: &TfIdf, a: usize, b: usize) -> Vec<(String, f32)> {
    let (va, vb) = (&t.vectors[a], &t.vectors[b]);
    let mut out = vec![];
    for (i, term) in va.terms.iter().enumerate() {
        if let Ok(j) = vb.terms.binary_search(term) { out.push((t.term(*term).to_owned(), va.weights[i]*vb.weights[j])); }
    }
    out.sort_by(|x, y| y.1.total_cmp(&x.1));
    out.truncate(15);
    out
}
