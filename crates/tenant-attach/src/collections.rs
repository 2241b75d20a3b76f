//! The collection graph: references (R-C4), cycles (R-C3), membership (R-C1, R-C2) and
//! dependents (R-C5).
//!
//! Every algorithm here is iterative: a 100,000-deep limiting chain must not overflow the
//! stack.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use petgraph::graph::{DiGraph, NodeIndex};
use roaring::RoaringBitmap;

use crate::devices::{DeviceIndex, DeviceSet, Stamp};
use crate::error::Diagnostics;
use crate::snapshot::{ChildRelation, Collection, CollectionRule, CollectionType};

/// A collection's position in `$.collections`, inside the crate.
pub(crate) type CollectionNo = u32;

/// A collection of one engine: obtained from [`crate::Engine::find_collection`],
/// [`CollectionGraph::find`] or [`CollectionGraph::in_id_order`], and only meaningful to the
/// engine that issued it (and its what-if siblings), like [`crate::DeviceIx`]. A handle the
/// graph does not hold has no id, no members, no edges and no dependents.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
/// let all_systems = engine.find_collection("SMS00001")?;
/// assert_eq!(engine.collections().id(all_systems), Some("SMS00001"));
///
/// let other = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
/// assert_eq!(other.collections().id(all_systems), None); // another engine's handle
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CollectionIx {
    ix: CollectionNo,
    stamp: Stamp,
}

impl CollectionIx {
    pub(crate) fn new(ix: CollectionNo, stamp: Stamp) -> CollectionIx {
        CollectionIx { ix, stamp }
    }

    /// The collection's position in `$.collections`, for the caller's own tables.
    pub fn index(self) -> u32 {
        self.ix
    }

    /// The engine that issued the handle.
    pub fn stamp(self) -> Stamp {
        self.stamp
    }

    /// The raw number, if the handle belongs to `stamp`.
    pub(crate) fn no(self, stamp: Stamp) -> Option<CollectionNo> {
        (self.stamp == stamp).then_some(self.ix)
    }
}

/// The collections as a DAG and their evaluated memberships.
///
/// INVARIANT: node `i` of the petgraph graph is collection `$.collections[i]`; an edge runs
/// from a collection to a collection that depends on it (limited by, includes or excludes it),
/// weighted by the relation.
#[derive(Debug, Clone)]
pub struct CollectionGraph {
    graph: DiGraph<(), ChildRelation, u32>,
    /// Collection positions sorted by id (for lookup and deterministic output).
    by_id: Vec<CollectionNo>,
    /// Id per position (cloned once so lookups need no snapshot).
    ids: Vec<Box<str>>,
    /// R-C1 membership per collection, filled by [`CollectionGraph::evaluate`]; shared with
    /// the what-if graphs cloned from this one until they change it.
    members: Vec<Arc<DeviceSet>>,
    /// Returned for a collection without members of its own (out of range).
    empty: DeviceSet,
    /// The stamp of the engine built on this graph (its device numbering's).
    stamp: Stamp,
}

/// One step of a dependents walk (R-C5): `collection` depends on `parent` through `relation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dependent {
    /// The dependent collection.
    pub collection: CollectionIx,
    /// The collection it was reached from.
    pub parent: CollectionIx,
    /// The relation: `collection` is limited by, includes or excludes `parent`.
    pub relation: ChildRelation,
}

impl CollectionGraph {
    /// Resolves every reference, reporting R-C4 and R-C3 problems; memberships stay empty.
    pub(crate) fn build(
        collections: &[Collection],
        devices: &DeviceIndex,
        diags: &mut Diagnostics,
    ) -> CollectionGraph {
        let n = collections.len();
        let mut graph = DiGraph::<(), ChildRelation, u32>::with_capacity(n, n * 2);
        for _ in 0..n {
            graph.add_node(());
        }
        let mut by_id: Vec<CollectionNo> = (0..n as CollectionNo).collect();
        by_id.sort_by(|a, b| id_at(collections, *a).cmp(id_at(collections, *b)));
        let mut index: HashMap<&str, CollectionNo> = HashMap::with_capacity(n);
        for (pos, c) in collections.iter().enumerate() {
            match index.entry(c.id.as_str()) {
                // Keep the first occurrence: the rest of the file refers to it.
                std::collections::hash_map::Entry::Occupied(_) => diags.input(
                    "R-C4",
                    format!("$.collections[{pos}].id"),
                    format!(
                        "collection id `{}` is used by more than one collection",
                        c.id
                    ),
                ),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(pos as CollectionNo);
                }
            }
        }
        by_id.dedup_by(|a, b| id_at(collections, *a) == id_at(collections, *b));

        for (pos, c) in collections.iter().enumerate() {
            let here = format!("$.collections[{pos}]");
            // Resolves one reference of `c`; the error message when it cannot be an edge.
            let resolve = |target: &str| -> Result<CollectionNo, String> {
                let Some(&t) = index.get(target) else {
                    return Err(format!(
                        "collection `{}` refers to collection `{target}`, which does not exist",
                        c.id
                    ));
                };
                let target_kind = collections.get(t as usize).map(|o| o.kind);
                if target_kind != Some(c.kind) {
                    return Err(format!(
                        "{} collection `{}` cannot refer to {} collection `{target}`",
                        kind_name(c.kind),
                        c.id,
                        target_kind.map(kind_name).unwrap_or("unknown"),
                    ));
                }
                Ok(t)
            };
            let mut link = |target: &str,
                            field: String,
                            relation: ChildRelation,
                            diags: &mut Diagnostics| {
                match resolve(target) {
                    Ok(t) => {
                        graph.add_edge(NodeIndex::new(t as usize), NodeIndex::new(pos), relation);
                    }
                    Err(message) => diags.input("R-C4", field, message),
                }
            };
            match &c.limiting {
                Some(l) => link(l, format!("{here}.limiting"), ChildRelation::Limiting, diags),
                None if !c.id.starts_with("SMS") => diags.input(
                    "R-C4",
                    format!("{here}.limiting"),
                    format!(
                        "collection `{}` has no limiting collection; only built-in root collections (such as SMS00001 All Systems) may have none",
                        c.id
                    ),
                ),
                None => {}
            }
            for (r, rule) in c.rules.iter().enumerate() {
                match rule {
                    CollectionRule::Include(t) => link(
                        t,
                        format!("{here}.rules[{r}].include"),
                        ChildRelation::Include,
                        diags,
                    ),
                    CollectionRule::Exclude(t) => link(
                        t,
                        format!("{here}.rules[{r}].exclude"),
                        ChildRelation::Exclude,
                        diags,
                    ),
                    CollectionRule::Direct(ids) if c.kind == CollectionType::Device => {
                        check_members(
                            ids,
                            devices,
                            &c.id,
                            &format!("{here}.rules[{r}].direct"),
                            diags,
                        )
                    }
                    CollectionRule::Query(q) if c.kind == CollectionType::Device => check_members(
                        &q.members,
                        devices,
                        &c.id,
                        &format!("{here}.rules[{r}].query.members"),
                        diags,
                    ),
                    // User collections hold user resources, which the snapshot does not list.
                    CollectionRule::Direct(_) | CollectionRule::Query(_) => {}
                }
            }
        }
        let ids = collections
            .iter()
            .map(|c| c.id.clone().into_boxed_str())
            .collect();
        let built = CollectionGraph {
            graph,
            by_id,
            ids,
            members: Vec::new(),
            empty: DeviceSet::empty(devices.stamp()),
            stamp: devices.stamp(),
        };
        built.check_acyclic(diags);
        built
    }

    /// R-C3: every strongly connected component with more than one collection, or a
    /// collection that refers to itself, is a cycle; each is reported once with all its ids.
    fn check_acyclic(&self, diags: &mut Diagnostics) {
        if petgraph::algo::toposort(&self.graph, None).is_ok() {
            return;
        }
        let mut cycles: Vec<Vec<CollectionNo>> = petgraph::algo::kosaraju_scc(&self.graph)
            .into_iter()
            .filter(|scc| match scc.as_slice() {
                [one] => self.graph.contains_edge(*one, *one),
                _ => true,
            })
            .map(|scc| {
                let mut ixs: Vec<CollectionNo> =
                    scc.iter().map(|n| n.index() as CollectionNo).collect();
                ixs.sort_unstable();
                ixs
            })
            .collect();
        cycles.sort();
        for cycle in cycles {
            let names: Vec<String> = cycle
                .iter()
                .map(|c| format!("`{}`", self.id_of(*c)))
                .collect();
            let first = cycle.first().copied().unwrap_or_default();
            diags.input(
                "R-C3",
                format!("$.collections[{first}]"),
                format!(
                    "circular reference between collections {}: limiting, include and exclude rules must not form a cycle (ConfigMgr refuses it)",
                    names.join(", ")
                ),
            );
        }
    }

    /// Evaluates R-C1 for every collection once, in topological order.
    ///
    /// Must only run on a graph that [`CollectionGraph::build`] found acyclic; on a cyclic
    /// graph every membership is left empty rather than guessed.
    pub(crate) fn evaluate(&mut self, collections: &[Collection], devices: &DeviceIndex) {
        let Ok(order) = petgraph::algo::toposort(&self.graph, None) else {
            let empty = Arc::new(DeviceSet::empty(devices.stamp()));
            self.members = collections.iter().map(|_| Arc::clone(&empty)).collect();
            return;
        };
        let mut members: Vec<RoaringBitmap> = vec![RoaringBitmap::new(); collections.len()];
        let mut scratch: Vec<u32> = Vec::new();
        for node in order {
            let pos = node.index();
            let Some(c) = collections.get(pos) else {
                continue;
            };
            if c.kind != CollectionType::Device {
                continue;
            }
            // query ∪ direct
            scratch.clear();
            for rule in &c.rules {
                let ids = match rule {
                    CollectionRule::Direct(ids) => ids.as_slice(),
                    CollectionRule::Query(q) => q.members.as_slice(),
                    CollectionRule::Include(_) | CollectionRule::Exclude(_) => continue,
                };
                scratch.extend(ids.iter().filter_map(|id| devices.ix(*id)));
            }
            scratch.sort_unstable();
            scratch.dedup();
            let mut set =
                RoaringBitmap::from_sorted_iter(scratch.iter().copied()).unwrap_or_default();
            let mut limit = None;
            let mut excludes = Vec::new();
            for edge in self
                .graph
                .edges_directed(node, petgraph::Direction::Incoming)
            {
                use petgraph::visit::EdgeRef;
                let source = edge.source().index();
                match edge.weight() {
                    // ∪ members(include)
                    ChildRelation::Include => {
                        if let Some(m) = members.get(source) {
                            set |= m;
                        }
                    }
                    ChildRelation::Limiting => limit = Some(source),
                    ChildRelation::Exclude => excludes.push(source),
                }
            }
            // ∩ members(limit(C)); a root skips the intersection
            if let Some(m) = limit.and_then(|l| members.get(l)) {
                set &= m;
            }
            // \ ⋃ members(exclude): exclude wins (R-C2)
            for e in excludes {
                if let Some(m) = members.get(e) {
                    set -= m;
                }
            }
            if let Some(slot) = members.get_mut(pos) {
                *slot = set;
            }
        }
        self.members = members
            .into_iter()
            .map(|m| Arc::new(DeviceSet::from_bits(m, devices.stamp())))
            .collect();
    }

    /// Evaluates R-C1 again for one device only, after direct or query rules changed for it
    /// in the collections at positions `changed` (same references, so the same DAG): only
    /// those collections and the ones downstream of them (through include, exclude and
    /// limiting edges, R-C1, R-C2) can gain or lose the device, so only they are evaluated
    /// again, in topological order, from the rules' lists, the answers just computed and,
    /// upstream of them, the memberships as they are. Linear in that closure and its rules'
    /// lists, not in the memberships.
    pub(crate) fn reevaluate_device(
        &mut self,
        collections: &[Collection],
        rid: u32,
        d: crate::devices::DeviceNo,
        changed: &[usize],
    ) {
        use petgraph::visit::EdgeRef;
        // The closure downstream of `changed`, and its in-degrees from inside it.
        let mut inside: HashMap<usize, Option<bool>> = HashMap::new();
        let mut stack: Vec<usize> = changed.to_vec();
        while let Some(pos) = stack.pop() {
            if pos >= self.graph.node_count() || inside.insert(pos, None).is_some() {
                continue;
            }
            stack.extend(
                self.graph
                    .edges(NodeIndex::new(pos))
                    .map(|e| e.target().index()),
            );
        }
        let mut pending: HashMap<usize, usize> = inside
            .keys()
            .map(|pos| {
                let n = self
                    .graph
                    .edges_directed(NodeIndex::new(*pos), petgraph::Direction::Incoming)
                    .filter(|e| inside.contains_key(&e.source().index()))
                    .count();
                (*pos, n)
            })
            .collect();
        let mut ready: Vec<usize> = pending
            .iter()
            .filter(|(_, n)| **n == 0)
            .map(|(pos, _)| *pos)
            .collect();
        while let Some(pos) = ready.pop() {
            let node = NodeIndex::new(pos);
            let now = collections.get(pos).is_some_and(|c| {
                c.kind == CollectionType::Device && self.device_in(c, node, rid, d, &inside)
            });
            inside.insert(pos, Some(now));
            if let Some(set) = self.members.get_mut(pos)
                && set.bits.contains(d) != now
            {
                let set = Arc::make_mut(set);
                if now {
                    set.bits.insert(d);
                } else {
                    set.bits.remove(d);
                }
            }
            for e in self.graph.edges(node) {
                let t = e.target().index();
                if let Some(n) = pending.get_mut(&t) {
                    *n = n.saturating_sub(1);
                    if *n == 0 {
                        ready.push(t);
                    }
                }
            }
        }
    }

    /// R-C1 for one device in one collection: in its direct or query lists or an included
    /// collection, in its limiting collection, in no excluded one (R-C2). Upstream answers
    /// come from `fresh` when evaluated again, otherwise from the memberships.
    fn device_in(
        &self,
        c: &Collection,
        node: NodeIndex<u32>,
        rid: u32,
        d: crate::devices::DeviceNo,
        fresh: &HashMap<usize, Option<bool>>,
    ) -> bool {
        use petgraph::visit::EdgeRef;
        let mut is_in = c.rules.iter().any(|rule| match rule {
            CollectionRule::Direct(ids) => ids.contains(&rid),
            CollectionRule::Query(q) => q.members.contains(&rid),
            CollectionRule::Include(_) | CollectionRule::Exclude(_) => false,
        });
        let mut limit = true;
        let mut excluded = false;
        for edge in self
            .graph
            .edges_directed(node, petgraph::Direction::Incoming)
        {
            let source = edge.source().index();
            let upstream = match fresh.get(&source) {
                Some(Some(v)) => *v,
                _ => self.members.get(source).is_some_and(|m| m.bits.contains(d)),
            };
            match edge.weight() {
                ChildRelation::Include => is_in |= upstream,
                ChildRelation::Limiting => limit = upstream,
                ChildRelation::Exclude => excluded |= upstream,
            }
        }
        is_in && limit && !excluded
    }

    /// The devices whose membership of some collection differs between this graph and
    /// `other` (the same collections and device numbering), or `None` when the collections
    /// differ in number or more than `limit` devices differ. Memberships shared between the
    /// two (a what-if's untouched collections) are not compared.
    pub(crate) fn membership_changes(
        &self,
        other: &CollectionGraph,
        limit: u64,
    ) -> Option<RoaringBitmap> {
        if self.members.len() != other.members.len() {
            return None;
        }
        let mut out = RoaringBitmap::new();
        for (a, b) in self.members.iter().zip(&other.members) {
            if !Arc::ptr_eq(a, b) && a.bits != b.bits {
                out |= &a.bits ^ &b.bits;
                if out.len() > limit {
                    return None;
                }
            }
        }
        Some(out)
    }

    /// How many collections.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no collections.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The engine whose handles this graph holds.
    pub fn stamp(&self) -> Stamp {
        self.stamp
    }

    fn handle(&self, c: CollectionNo) -> CollectionIx {
        CollectionIx::new(c, self.stamp)
    }

    /// The id of a collection; `None` for a handle this graph does not hold.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let pilot = engine.find_collection("PS100021")?;
    /// assert_eq!(g.id(pilot), Some("PS100021"));
    /// let other = Engine::from_json(sample::CONTOSO)?;
    /// assert_eq!(other.collections().id(pilot), None); // another engine's handle
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn id(&self, c: CollectionIx) -> Option<&str> {
        c.no(self.stamp)
            .and_then(|c| self.ids.get(c as usize))
            .map(|s| &**s)
    }

    /// The id at a position (empty out of range: positions come from the graph itself).
    pub(crate) fn id_of(&self, c: CollectionNo) -> &str {
        self.ids.get(c as usize).map(|s| &**s).unwrap_or("")
    }

    /// The collection with this id.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let kiosks = g.find("PS100013").ok_or("no Kiosks")?;
    /// assert_eq!(g.members(kiosks).len(), 2); // CON-KIOSK-01 and CON-KIOSK-02
    /// assert!(g.find("ps100013").is_none()); // ids match exactly
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn find(&self, id: &str) -> Option<CollectionIx> {
        self.find_no(id).map(|c| self.handle(c))
    }

    /// The position of the collection with this id.
    pub(crate) fn find_no(&self, id: &str) -> Option<CollectionNo> {
        self.by_id
            .binary_search_by(|c| self.id_of(*c).cmp(id))
            .ok()
            .and_then(|i| self.by_id.get(i).copied())
    }

    /// Every collection, in id order.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let ids: Vec<&str> = g.in_id_order().filter_map(|c| g.id(c)).collect();
    /// assert_eq!(ids.len(), 15);
    /// assert_eq!(ids.first(), Some(&"PS100010"));
    /// assert_eq!(ids.last(), Some(&"SMS00002")); // the built-in ids sort after PS1's
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn in_id_order(&self) -> impl ExactSizeIterator<Item = CollectionIx> + '_ {
        self.by_id.iter().map(|c| self.handle(*c))
    }

    /// The members of a collection (R-C1); empty for user collections and for a handle this
    /// graph does not hold.
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let tier1 = g.find("PS100032").ok_or("no Tier-1 servers")?;
    /// let names: Vec<&str> = g
    ///     .members(tier1)
    ///     .iter()
    ///     .filter_map(|d| engine.device(d).map(|d| d.name.as_str()))
    ///     .collect();
    /// assert_eq!(names, ["CON-SRV-SQL01", "CON-SRV-FS01"]); // web servers and DCs excluded (R-C2)
    /// assert!(g.members(g.find("SMS00002").ok_or("no All Users")?).is_empty()); // users
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn members(&self, c: CollectionIx) -> &DeviceSet {
        c.no(self.stamp)
            .and_then(|c| self.members.get(c as usize))
            .map_or(&self.empty, |m| m)
    }

    /// The members at a position (empty out of range).
    pub(crate) fn members_of(&self, c: CollectionNo) -> &DeviceSet {
        self.members.get(c as usize).map_or(&self.empty, |m| m)
    }

    /// The collections that depend on `root` through the given relations, transitively
    /// (R-C5; with every relation, the console's *Dependent* view); none for a handle this
    /// graph does not hold.
    ///
    /// Breadth-first, each collection once, reached from the first parent found; parents'
    /// dependents are visited in id order, so the walk is deterministic.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let upload = engine.find_collection("PS100020")?;
    /// let all = g.dependents(upload, &ChildRelation::all());
    /// let ids: Vec<&str> = all.iter().filter_map(|d| g.id(d.collection)).collect();
    /// // Pilot ring is limited by it; Upload plus SQL includes it.
    /// assert_eq!(ids, ["PS100021", "PS100022"]);
    /// assert!(g.dependents(upload, &[ChildRelation::Exclude]).is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn dependents(&self, root: CollectionIx, relations: &[ChildRelation]) -> Vec<Dependent> {
        let mut out = Vec::new();
        let Some(root) = root.no(self.stamp).filter(|r| (*r as usize) < self.len()) else {
            return out;
        };
        let mut seen = vec![false; self.len()];
        if let Some(s) = seen.get_mut(root as usize) {
            *s = true;
        }
        let mut queue = VecDeque::from([root]);
        let mut next: Vec<(CollectionNo, ChildRelation)> = Vec::new();
        while let Some(parent) = queue.pop_front() {
            next.clear();
            for edge in self.graph.edges(NodeIndex::new(parent as usize)) {
                use petgraph::visit::EdgeRef;
                if relations.contains(edge.weight()) {
                    next.push((edge.target().index() as CollectionNo, *edge.weight()));
                }
            }
            next.sort_by(|a, b| self.id_of(a.0).cmp(self.id_of(b.0)).then(a.1.cmp(&b.1)));
            for &(child, relation) in &next {
                let Some(s) = seen.get_mut(child as usize) else {
                    continue;
                };
                if *s {
                    continue;
                }
                *s = true;
                out.push(Dependent {
                    collection: self.handle(child),
                    parent: self.handle(parent),
                    relation,
                });
                queue.push_back(child);
            }
        }
        out
    }

    /// Every edge as (from, to, relation): `to` is limited by, includes or excludes `from`.
    /// Sorted by the ids of `from`, then `to`, then the relation.
    ///
    /// ```
    /// use tenant_attach::{Engine, sample, snapshot::ChildRelation};
    /// let engine = Engine::from_json(sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let edges = g.edges();
    /// assert_eq!(edges.len(), 21);
    /// let (from, to, relation) = edges.first().copied().ok_or("no edge")?;
    /// // Desktops (PS100011) is limited to All Workstations (PS100010).
    /// assert_eq!((g.id(from), g.id(to)), (Some("PS100010"), Some("PS100011")));
    /// assert_eq!(relation, ChildRelation::Limiting);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn edges(&self) -> Vec<(CollectionIx, CollectionIx, ChildRelation)> {
        use petgraph::visit::EdgeRef;
        let mut out: Vec<_> = self
            .graph
            .edge_references()
            .map(|e| {
                (
                    e.source().index() as CollectionNo,
                    e.target().index() as CollectionNo,
                    *e.weight(),
                )
            })
            .collect();
        out.sort_by(|a, b| {
            self.id_of(a.0)
                .cmp(self.id_of(b.0))
                .then(self.id_of(a.1).cmp(self.id_of(b.1)))
                .then(a.2.cmp(&b.2))
        });
        out.into_iter()
            .map(|(from, to, r)| (self.handle(from), self.handle(to), r))
            .collect()
    }

    /// The edges at one collection, in both directions, as [`CollectionGraph::edges`] gives
    /// them (from, to, relation); unsorted; none for a handle this graph does not hold. Costs
    /// the collection's degree, not the graph's size (for `graph --around`).
    ///
    /// ```
    /// let engine = tenant_attach::Engine::from_json(tenant_attach::sample::CONTOSO)?;
    /// let g = engine.collections();
    /// let upload = engine.find_collection("PS100020")?;
    /// let mut at: Vec<(&str, &str)> =
    ///     g.edges_at(upload).filter_map(|(f, t, _)| Some((g.id(f)?, g.id(t)?))).collect();
    /// at.sort_unstable();
    /// assert_eq!(at, [("PS100013", "PS100020"), ("PS100015", "PS100020"),
    ///     ("PS100020", "PS100021"), ("PS100020", "PS100022"), ("SMS00001", "PS100020")]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn edges_at(
        &self,
        c: CollectionIx,
    ) -> impl Iterator<Item = (CollectionIx, CollectionIx, ChildRelation)> + '_ {
        use petgraph::visit::EdgeRef;
        let at = c.no(self.stamp).filter(|c| (*c as usize) < self.len());
        let node = NodeIndex::new(at.unwrap_or(0) as usize);
        [petgraph::Direction::Outgoing, petgraph::Direction::Incoming]
            .into_iter()
            .filter(move |_| at.is_some())
            .flat_map(move |dir| self.graph.edges_directed(node, dir))
            .map(|e| {
                (
                    self.handle(e.source().index() as CollectionNo),
                    self.handle(e.target().index() as CollectionNo),
                    *e.weight(),
                )
            })
    }

    /// Bytes held by the membership bitmaps (serialized size, a proxy for memory).
    pub fn membership_bytes(&self) -> usize {
        self.members.iter().map(|m| m.serialized_size()).sum()
    }
}

/// Evaluates every membership of a snapshot on its own (R-C1), without the rest of the engine:
/// the benchmarks' "membership" step. Refuses a snapshot whose devices or collections have
/// input errors (duplicate resource ids, unresolved references, cycles); the rest of
/// validation (the upload collection, RBAC, …) is [`crate::Engine::new`]'s.
///
/// ```
/// use tenant_attach::{Snapshot, collections::evaluate, sample};
/// let snapshot = Snapshot::from_json(sample::CONTOSO)?;
/// let graph = evaluate(&snapshot)?;
/// let upload = graph.find("PS100020").ok_or("no upload collection")?;
/// assert_eq!(graph.members(upload).len(), 17); // production workstations, kiosks, CON-LAB-02
/// let mut cyclic = snapshot.clone();
/// cyclic.collections[2].limiting = Some(String::from("PS100011")); // PS100010 <-> PS100011
/// assert!(evaluate(&cyclic).is_err()); // R-C3
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// The input errors found (duplicate resource ids, R-C4 references, R-C3 cycles), every one of
/// them, as [`Diagnostics`].
pub fn evaluate(snapshot: &crate::snapshot::Snapshot) -> Result<CollectionGraph, Diagnostics> {
    let mut diags = Diagnostics::default();
    let devices = DeviceIndex::build(&snapshot.devices, &mut diags);
    let mut graph = CollectionGraph::build(&snapshot.collections, &devices, &mut diags);
    if diags.has_input_errors() {
        return Err(diags);
    }
    graph.evaluate(&snapshot.collections, &devices);
    Ok(graph)
}

fn id_at(collections: &[Collection], c: CollectionNo) -> &str {
    collections
        .get(c as usize)
        .map(|c| c.id.as_str())
        .unwrap_or("")
}

fn kind_name(kind: CollectionType) -> &'static str {
    match kind {
        CollectionType::Device => "device",
        CollectionType::User => "user",
    }
}

fn check_members(
    ids: &[u32],
    devices: &DeviceIndex,
    collection: &str,
    path: &str,
    diags: &mut Diagnostics,
) {
    for (i, id) in ids.iter().enumerate() {
        if devices.ix(*id).is_none() {
            diags.input(
                "R-C4",
                format!("{path}[{i}]"),
                format!(
                    "collection `{collection}` lists resource id `{id}`, which is not in $.devices"
                ),
            );
        }
    }
}
