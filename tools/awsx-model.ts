/**
 * What `awsx.ec2.Vpc` expands into, modelled from its inputs. Under mocks awsx components are
 * remote, so their children never register; the engine uses this model for the Vpc's mocked
 * outputs and the plan shows the expansion.
 */
export interface VpcModel {
    azs: string[];
    subnets: { tier: "Public" | "Private" | "Isolated"; az: string; cidr: string; id: string }[];
    natGateways: { az: string; subnetId: string; id: string }[];
}

const TIER_ORDER = ["Public", "Private", "Isolated"] as const;

export function modelVpc(inputs: Record<string, any>, region: string, idFor: (kind: string, key: string) => string): VpcModel {
    const count: number = inputs.numberOfAvailabilityZones ?? inputs.availabilityZoneNames?.length ?? 3;
    const azs: string[] = inputs.availabilityZoneNames ?? Array.from({ length: count }, (_, i) => `${region}${"abcdef"[i]}`);
    const specs: { type: string; cidrMask?: number }[] = inputs.subnetSpecs ?? [{ type: "Public" }, { type: "Private" }];
    const [base, prefix] = parseCidr(inputs.cidrBlock ?? "10.0.0.0/16");

    // Allocate largest blocks first so every block stays aligned.
    const wanted = azs.flatMap((az) => specs.map((s) => ({ tier: s.type as VpcModel["subnets"][number]["tier"], az, mask: s.cidrMask ?? prefix + 4 })));
    let cursor = base;
    const placed = [...wanted]
        .sort((a, b) => a.mask - b.mask)
        .map((w) => {
            const size = 2 ** (32 - w.mask);
            cursor = Math.ceil(cursor / size) * size;
            const cidr = `${toIp(cursor)}/${w.mask}`;
            cursor += size;
            return { tier: w.tier, az: w.az, cidr, id: idFor("subnet", `${w.tier}-${w.az}`) };
        });
    const subnets = placed.sort((a, b) => TIER_ORDER.indexOf(a.tier) - TIER_ORDER.indexOf(b.tier) || a.az.localeCompare(b.az));

    const strategy = inputs.natGateways?.strategy ?? "OnePerAz";
    const publicSubnets = subnets.filter((s) => s.tier === "Public");
    const natAzs = strategy === "None" || publicSubnets.length === 0 ? [] : strategy === "Single" ? [azs[0]] : azs;
    const natGateways = natAzs.map((az) => ({ az, subnetId: publicSubnets.find((s) => s.az === az)!.id, id: idFor("nat", az) }));
    return { azs, subnets, natGateways };
}

function parseCidr(cidr: string): [number, number] {
    const [ip, len] = cidr.split("/");
    return [ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0), Number(len)];
}

function toIp(n: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}
