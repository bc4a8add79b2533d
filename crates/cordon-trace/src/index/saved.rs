//! The index as bytes, so that a hub can save it and load it at its next start instead of
//! reading every passage from the store again ([`TraceIndex::write_to`],
//! [`TraceIndex::read_from`]). The base (what the index was built with) is written as its
//! arrays and posting lists; the passages added since are written as rows and added again on
//! reading. The time sample and the persons' directory are derived again, not stored.
//!
//! Reading checks every bound a query relies on (lengths, offsets, numbers within range, times
//! in order within a checkpoint): bytes that are not an index this format wrote are refused
//! with `InvalidData`, never a panic at a later query. The file around these bytes (its
//! header, the hub it belongs to, its checksum, writing it whole or not at all) is the
//! server's.

use std::io::{self, Read, Write};

use cordon_domain::passage::Role;
use uuid::Uuid;

use super::{prefix, IndexRow, TraceIndex, AT_STRIDE, NO_VEHICLE};
use crate::postings::Postings;

/// The layout below: a file of another format is ignored (the index is read from the store).
pub const SAVED_FORMAT: u32 = 1;

/// Most elements one array may claim: a damaged length must not make the reader allocate the
/// machine's memory away.
const MAX_LEN: u64 = 1 << 34;

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("trace index: {what}"))
}

struct Out<'a, W: Write>(&'a mut W);

impl<W: Write> Out<'_, W> {
    fn bytes(&mut self, b: &[u8]) -> io::Result<()> {
        self.0.write_all(b)
    }
    fn u8(&mut self, v: u8) -> io::Result<()> {
        self.bytes(&[v])
    }
    fn u16(&mut self, v: u16) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn i64(&mut self, v: i64) -> io::Result<()> {
        self.bytes(&v.to_le_bytes())
    }
    fn len(&mut self, n: usize) -> io::Result<()> {
        self.u64(n as u64)
    }
    /// A length, then each element's little-endian bytes, in chunks.
    fn array<T: Copy, const N: usize>(
        &mut self,
        v: &[T],
        le: impl Fn(T) -> [u8; N],
    ) -> io::Result<()> {
        self.len(v.len())?;
        let mut buf = Vec::with_capacity(N * v.len().min(1 << 16));
        for chunk in v.chunks(1 << 16) {
            buf.clear();
            for x in chunk {
                buf.extend_from_slice(&le(*x));
            }
            self.bytes(&buf)?;
        }
        Ok(())
    }
}

struct In<'a, R: Read>(&'a mut R);

impl<R: Read> In<'_, R> {
    fn fill(&mut self, b: &mut [u8]) -> io::Result<()> {
        self.0.read_exact(b)
    }
    fn take<const N: usize>(&mut self) -> io::Result<[u8; N]> {
        let mut b = [0u8; N];
        self.fill(&mut b)?;
        Ok(b)
    }
    fn u8(&mut self) -> io::Result<u8> {
        Ok(self.take::<1>()?[0])
    }
    fn u16(&mut self) -> io::Result<u16> {
        Ok(u16::from_le_bytes(self.take()?))
    }
    fn u32(&mut self) -> io::Result<u32> {
        Ok(u32::from_le_bytes(self.take()?))
    }
    fn u64(&mut self) -> io::Result<u64> {
        Ok(u64::from_le_bytes(self.take()?))
    }
    fn i64(&mut self) -> io::Result<i64> {
        Ok(i64::from_le_bytes(self.take()?))
    }
    fn len(&mut self) -> io::Result<usize> {
        let n = self.u64()?;
        if n > MAX_LEN {
            return Err(bad("a length past any index"));
        }
        usize::try_from(n).map_err(|_| bad("a length past this machine"))
    }
    /// An array as [`Out::array`] wrote it.
    fn array<T, const N: usize>(&mut self, from: impl Fn([u8; N]) -> T) -> io::Result<Vec<T>> {
        let n = self.len()?;
        let mut out = Vec::with_capacity(n.min(1 << 20));
        let mut buf = vec![0u8; N * n.min(1 << 16)];
        let mut left = n;
        while left > 0 {
            let k = left.min(1 << 16);
            self.fill(&mut buf[..N * k])?;
            out.extend(buf[..N * k].chunks_exact(N).map(|c| {
                let mut a = [0u8; N];
                a.copy_from_slice(c);
                from(a)
            }));
            left -= k;
        }
        Ok(out)
    }
}

fn role_byte(r: Role) -> u8 {
    match r {
        Role::Driver => 0,
        Role::Passenger => 1,
        Role::Pedestrian => 2,
    }
}

fn role_of_byte(b: u8) -> io::Result<Role> {
    match b {
        0 => Ok(Role::Driver),
        1 => Ok(Role::Passenger),
        2 => Ok(Role::Pedestrian),
        _ => Err(bad("a role")),
    }
}

/// Offsets into a list of `len` elements: from 0, never decreasing, ending at `len`.
fn offsets(off: &[u32], len: usize, what: &str) -> io::Result<()> {
    let ok = off.first() == Some(&0)
        && off.windows(2).all(|w| w[0] <= w[1])
        && off.last().map(|&l| l as usize) == Some(len);
    if ok {
        Ok(())
    } else {
        Err(bad(what))
    }
}

impl TraceIndex {
    /// Writes the index (see the module's notes). Withdrawn passages added since the build are
    /// left out; the base's are written with their marks.
    pub fn write_to(&self, w: &mut impl Write) -> io::Result<()> {
        let base = self.base as usize;
        let mut o = Out(w);
        o.u32(SAVED_FORMAT)?;
        o.i64(self.watermark)?;
        o.u64(self.recent_pruned as u64)?;
        o.array(&self.ids[..base], |id: Uuid| *id.as_bytes())?;
        o.array(&self.at[..base], i64::to_le_bytes)?;
        o.array(&self.lane_dir[..base], u16::to_le_bytes)?;
        o.array(&self.vehicle[..base], u32::to_le_bytes)?;
        let occ_off: &[u32] = if self.occ_off.is_empty() {
            &[0]
        } else {
            &self.occ_off[..=base]
        };
        o.array(occ_off, u32::to_le_bytes)?;
        let occupants = occ_off.last().copied().unwrap_or(0) as usize;
        o.array(&self.occupants[..occupants], u32::to_le_bytes)?;
        let cp_off: &[u32] = if self.cp_off.is_empty() {
            &[0]
        } else {
            &self.cp_off
        };
        o.array(cp_off, u32::to_le_bytes)?;
        o.array(&self.person_keys, |k: [u8; 16]| k)?;
        o.array(&self.vehicle_slots, u64::to_le_bytes)?;
        let vehicles = self.vehicle_slots.len();
        let plate_off: &[u32] = if self.plate_off.is_empty() {
            &[0]
        } else {
            &self.plate_off[..=vehicles]
        };
        o.array(plate_off, u32::to_le_bytes)?;
        let text = plate_off.last().copied().unwrap_or(0) as usize;
        o.array(&self.plate_text.as_bytes()[..text], |b: u8| [b])?;
        for postings in [&self.by_person, &self.by_vehicle] {
            let (off, list) = postings.base_parts();
            o.array(off, u32::to_le_bytes)?;
            o.array(list, u32::to_le_bytes)?;
        }
        let words = base.div_ceil(64).min(self.withdrawn.len());
        o.array(&self.withdrawn[..words], u64::to_le_bytes)?;
        let recent: Vec<(Uuid, i64)> = self.recent.iter().map(|(k, v)| (*k, *v)).collect();
        o.len(recent.len())?;
        for (id, at) in &recent {
            o.bytes(id.as_bytes())?;
            o.i64(*at)?;
        }
        // The passages added since the build, as rows.
        let keys = self.person_key_list();
        let tail: Vec<u32> = (self.base..self.ids.len() as u32)
            .filter(|&p| !self.is_withdrawn(p))
            .collect();
        o.len(tail.len())?;
        for p in tail {
            let id = self.ids[p as usize];
            o.bytes(id.as_bytes())?;
            o.u32(self.checkpoint_of(p))?;
            o.u16(self.lane(p))?;
            o.u8(u8::from(self.inbound(p)))?;
            o.i64(self.at[p as usize])?;
            o.i64(self.recent.get(&id).copied().unwrap_or(i64::MIN))?;
            match self.has_vehicle(p) {
                Some(v) => {
                    let plate = self.plate(v).as_bytes();
                    o.u32(plate.len() as u32)?;
                    o.bytes(plate)?;
                }
                None => o.u32(u32::MAX)?,
            }
            let occupants: Vec<(u32, Role)> = self.occupants(p).collect();
            o.u32(occupants.len() as u32)?;
            for (person, role) in occupants {
                o.bytes(&keys[person as usize].to_le_bytes())?;
                o.u8(role_byte(role))?;
            }
        }
        Ok(())
    }

    /// Reads an index [`TraceIndex::write_to`] wrote; `InvalidData` for anything else (another
    /// format, bytes out of bounds), `UnexpectedEof` for a file cut short.
    pub fn read_from(r: &mut impl Read) -> io::Result<TraceIndex> {
        let mut i = In(r);
        if i.u32()? != SAVED_FORMAT {
            return Err(bad("another format"));
        }
        let watermark = i.i64()?;
        let recent_pruned = i.u64()? as usize;
        let ids: Vec<Uuid> = i.array(Uuid::from_bytes)?;
        let at: Vec<i64> = i.array(i64::from_le_bytes)?;
        let lane_dir: Vec<u16> = i.array(u16::from_le_bytes)?;
        let vehicle: Vec<u32> = i.array(u32::from_le_bytes)?;
        let occ_off: Vec<u32> = i.array(u32::from_le_bytes)?;
        let occupants: Vec<u32> = i.array(u32::from_le_bytes)?;
        let cp_off: Vec<u32> = i.array(u32::from_le_bytes)?;
        let person_keys: Vec<[u8; 16]> = i.array(|k| k)?;
        let vehicle_slots: Vec<u64> = i.array(u64::from_le_bytes)?;
        let plate_off: Vec<u32> = i.array(u32::from_le_bytes)?;
        let plate_text: Vec<u8> = i.array(|[b]: [u8; 1]| b)?;
        let mut postings = Vec::with_capacity(2);
        for _ in 0..2 {
            let off: Vec<u32> = i.array(u32::from_le_bytes)?;
            let list: Vec<u32> = i.array(u32::from_le_bytes)?;
            postings.push((off, list));
        }
        let withdrawn: Vec<u64> = i.array(u64::from_le_bytes)?;
        let mut recent = std::collections::HashMap::with_capacity(1024);
        for _ in 0..i.len()? {
            let id = Uuid::from_bytes(i.take()?);
            recent.insert(id, i.i64()?);
        }

        // Every bound a query relies on.
        let n = ids.len();
        if n > u32::MAX as usize / 2 || at.len() != n || lane_dir.len() != n || vehicle.len() != n {
            return Err(bad("the passages' arrays differ in length"));
        }
        offsets(&occ_off, occupants.len(), "the occupants' offsets")?;
        if occ_off.len() != n + 1 {
            return Err(bad("the occupants' offsets"));
        }
        offsets(&cp_off, n, "the checkpoints' offsets")?;
        for c in cp_off.windows(2) {
            if !at[c[0] as usize..c[1] as usize]
                .windows(2)
                .all(|w| w[0] <= w[1])
            {
                return Err(bad("times out of order at a checkpoint"));
            }
        }
        if !person_keys.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("the persons out of order"));
        }
        let persons = person_keys.len();
        if occupants
            .iter()
            .any(|&o| (o >> 2) as usize >= persons || o & 3 == 3)
        {
            return Err(bad("an occupant out of range"));
        }
        if !vehicle_slots.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("the vehicles out of order"));
        }
        let vehicles = vehicle_slots.len();
        if vehicle
            .iter()
            .any(|&v| v != NO_VEHICLE && v as usize >= vehicles)
        {
            return Err(bad("a vehicle out of range"));
        }
        let plate_text = String::from_utf8(plate_text).map_err(|_| bad("a plate"))?;
        offsets(&plate_off, plate_text.len(), "the plates' offsets")?;
        if plate_off.len() != vehicles + 1
            || plate_off
                .iter()
                .any(|&o| !plate_text.is_char_boundary(o as usize))
        {
            return Err(bad("the plates' offsets"));
        }
        let mut lists = Vec::with_capacity(2);
        for ((off, list), keys) in postings.into_iter().zip([persons, vehicles]) {
            if !(off.is_empty() && list.is_empty()) {
                offsets(&off, list.len(), "a posting list's offsets")?;
            }
            if off.len() > keys + 1 || list.iter().any(|&p| p as usize >= n) {
                return Err(bad("a posting list"));
            }
            lists.push(Postings::from_base(off, list));
        }
        let by_vehicle = lists.pop().unwrap_or_default();
        let by_person = lists.pop().unwrap_or_default();

        let checkpoints = (cp_off.len() - 1) as u32;
        let person_dir = (0..=1usize << 16)
            .map(|b| person_keys.partition_point(|k| prefix(k) < b) as u32)
            .collect();
        let mut index = TraceIndex {
            at_sample: at.iter().step_by(AT_STRIDE).copied().collect(),
            base: n as u32,
            ids,
            at,
            lane_dir,
            vehicle,
            occ_off,
            occupants,
            cp_off,
            person_keys,
            person_dir,
            vehicle_slots,
            plate_text,
            plate_off,
            by_person,
            by_vehicle,
            withdrawn,
            watermark,
            checkpoints,
            ..TraceIndex::default()
        };
        // The rows added since the build, added again; the recent ids last (a row whose id is
        // among them would be taken as held already).
        let mut rows = Vec::new();
        for _ in 0..i.len()? {
            let id = Uuid::from_bytes(i.take()?);
            let checkpoint = i.u32()?;
            if checkpoint >= u32::MAX / 2 {
                return Err(bad("a checkpoint's number"));
            }
            let lane = i.u16()?;
            let inbound = i.u8()? != 0;
            let observed_ms = i.i64()?;
            let recorded_ms = i.i64()?;
            let plate = match i.u32()? {
                u32::MAX => None,
                len if len <= 64 => {
                    let mut b = vec![0u8; len as usize];
                    i.fill(&mut b)?;
                    Some(String::from_utf8(b).map_err(|_| bad("a plate"))?)
                }
                _ => return Err(bad("a plate")),
            };
            let count = i.u32()?;
            if count > 4096 {
                return Err(bad("a passage's occupants"));
            }
            let mut occupants = Vec::with_capacity(count as usize);
            for _ in 0..count {
                let key = u128::from_le_bytes(i.take()?);
                occupants.push((key, role_of_byte(i.u8()?)?));
            }
            rows.push(IndexRow {
                id,
                checkpoint,
                lane,
                inbound,
                observed_ms,
                recorded_ms,
                plate,
                occupants,
            });
        }
        index.add(rows);
        index.watermark = index.watermark.max(watermark);
        index.recent = recent;
        index.recent_pruned = recent_pruned;
        Ok(index)
    }
}

#[cfg(test)]
mod tests;
