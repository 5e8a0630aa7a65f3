/**
 * How awsx.ec2.Vpc lays out subnets, which both the network config check (config/sections/network.ts)
 * and the offline engine's model of the VPC (tools/awsx-model.ts) need.
 */

/**
 * awsx's `subnetStrategy: "Auto"` allocation (pulumi-awsx awsx/ec2/subnetDistributorNew.ts,
 * allocateSubnetCidrBlocks): the VPC is split into 2^ceil(log2(AZ count)) equal blocks (or blocks
 * of `availabilityZoneCidrMask`), AZ i takes block i, and within it the subnets follow in spec
 * order, each starting at the first boundary of its own size after the previous one ends. awsx
 * throws when the subnets' sizes add up to more than a block, and (awsx/ec2/vpc.ts,
 * validateSubnets) when any two subnets overlap, which happens whenever the alignment gaps push an
 * AZ's subnets past its block into the next AZ's.
 */
export interface AutoSubnetLayout {
    /** Prefix length of each AZ's block. */
    azPrefix: number;
    /** Addresses in each AZ's block. */
    azSize: number;
    /** The subnets' sizes added up, gaps not counted: what awsx's own size check compares with azSize. */
    total: number;
    /** Per AZ, the subnets in spec order: first address and prefix length. */
    azs: { base: number; subnets: { base: number; mask: number }[] }[];
    /** How far into its block an AZ's subnets reach (the same for every AZ); above azSize they spill into the next block. */
    end: number;
}

export function autoSubnetLayout(vpcBase: number, vpcPrefix: number, azCount: number, masks: number[], azCidrMask?: number): AutoSubnetLayout {
    const azPrefix = azCidrMask ?? vpcPrefix + newBits(azCount);
    const azSize = 2 ** (32 - azPrefix);
    const total = masks.reduce((sum, m) => sum + 2 ** (32 - m), 0);
    const azs: AutoSubnetLayout["azs"] = [];
    let azBase = Math.floor(vpcBase / azSize) * azSize;
    for (let i = 0; i < azCount; i++, azBase += azSize) {
        const subnets: { base: number; mask: number }[] = [];
        let last: number | undefined; // the previous subnet's last address
        for (const mask of masks) {
            const size = 2 ** (32 - mask);
            // The first subnet is the block of its size holding the AZ's first address; each next one is
            // the block after the one (of its own size) holding the previous subnet's last address.
            const base = last === undefined ? Math.floor(azBase / size) * size : Math.floor(last / size) * size + size;
            subnets.push({ base, mask });
            last = base + size - 1;
        }
        azs.push({ base: azBase, subnets });
    }
    const end = azs.length ? Math.max(...azs[0].subnets.map((s) => s.base + 2 ** (32 - s.mask))) - azs[0].base : 0;
    return { azPrefix, azSize, total, azs, end };
}

/** awsx's newBits: how many prefix bits split a block into `count` equal parts. */
export function newBits(count: number): number {
    return count === 0 ? 0 : Math.ceil(Math.log2(count));
}
