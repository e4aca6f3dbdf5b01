//! Which addresses a production URL may reach: public ones only, so that a seller cannot
//! point us at our own network (server-side request forgery). The development switch
//! lets loopback through, for a seller running on the same machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether a call may connect to `ip`.
pub fn allowed(ip: IpAddr, allow_loopback: bool) -> bool {
    if ip.is_loopback() {
        return allow_loopback;
    }
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.is_loopback() && allow_loopback || public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), RFC 6598.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, RFC 6890.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, RFC 2544.
        || (a == 198 && (18..20).contains(&b))
        // Reserved for future use, and the limited broadcast above it.
        || a >= 240)
}

/// Global unicast (2000::/3) outside the IANA special-purpose blocks; everything else
/// (IPv4-compatible ::/96, discard-only 100::/64, NAT64, site-local fec0::/10, unique and
/// link-local, multicast, SRv6…) is not ours to call.
fn public_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if s[0] & 0xe000 != 0x2000 {
        return false;
    }
    // 6to4 embeds an IPv4 address: as public as that address.
    if s[0] == 0x2002 {
        let [a, b] = s[1].to_be_bytes();
        let [c, d] = s[2].to_be_bytes();
        return public_v4(Ipv4Addr::new(a, b, c, d));
    }
    let ietf_assignments = s[0] == 0x2001 && s[1] < 0x0200; // Teredo, ORCHID…, 2001::/23
    let documentation = (s[0] == 0x2001 && s[1] == 0x0db8) || (s[0] & 0xfff0) == 0x3ff0;
    !(ietf_assignments || documentation)
}

#[cfg(test)]
mod tests {
    use super::allowed;

    #[test]
    fn only_public_addresses_are_allowed() {
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::6810:85e5",
            "2a00:1450:4001:80b::200e",
            "2002:808:808::1",
        ] {
            assert!(allowed(public.parse().unwrap(), false), "{public}");
        }
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "64:ff9b:1::a00:1",
            "2001:db8::1",
            "::a00:1",
            "::7f00:1",
            "fec0::1",
            "2002:a00:1::1",
            "2002:7f00:1::1",
            "2002:c0a8:101::1",
            "2001::1",
            "2001:2::1",
            "2001:10::1",
            "100::1",
            "3fff::1",
            "5f00::1",
            "ff02::1",
        ] {
            assert!(!allowed(private.parse().unwrap(), false), "{private}");
        }
        // The development switch lets loopback through, and nothing else.
        assert!(allowed("127.0.0.1".parse().unwrap(), true));
        assert!(allowed("::1".parse().unwrap(), true));
        assert!(allowed("::ffff:127.0.0.1".parse().unwrap(), true));
        assert!(!allowed("10.1.2.3".parse().unwrap(), true));
        assert!(!allowed("169.254.169.254".parse().unwrap(), true));
    }
}
