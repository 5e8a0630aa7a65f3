/**
 * The web instances' boot script (cloud-init runs it once, as root, on first boot): Node.js 22
 * from the Amazon Linux 2023 repositories, the service bundle from S3 checked against its
 * SHA-256, a hardened systemd unit running it as an unprivileged user, and the CloudWatch agent
 * shipping its log.
 */

export interface WebUserDataArgs {
    region: string;
    /** Artifacts bucket and key of the service bundle. */
    bucket: string;
    key: string;
    /** The bundle's SHA-256: verified after download, and part of the script so a new bundle makes a new launch template version. */
    sha256: string;
    appPort: number;
    /** Shallow liveness path (the target group's probe). */
    livenessPath: string;
    /** Deep dependency report path. */
    healthPath: string;
    /** SSM path the service reads its settings from. */
    parameterPath: string;
    /** CloudWatch log group for the service's output. */
    logGroupName: string;
}

const SAFE = /^[\w./:@+-]+$/;

/** The script, as text (the launch template takes it base64-encoded). */
export function webUserData(a: WebUserDataArgs): string {
    // Every value lands in a shell script or a unit file: only plain tokens, never quoting tricks.
    for (const [k, v] of Object.entries(a)) {
        if (!SAFE.test(String(v))) throw new Error(`user data: ${k} ${JSON.stringify(v)} has characters a boot script cannot take safely`);
    }
    if (!/^[0-9a-f]{64}$/.test(a.sha256)) throw new Error(`user data: sha256 ${JSON.stringify(a.sha256)} is not a hex SHA-256`);
    const agentConfig = JSON.stringify({
        logs: {
            logs_collected: {
                files: { collect_list: [{ file_path: "/var/log/web/service.log", log_group_name: a.logGroupName, log_stream_name: "{instance_id}" }] },
            },
        },
    });
    return `#!/bin/bash
# Boots a web instance. Runs once per instance; its output is in /var/log/cloud-init-output.log.
set -euo pipefail

BUNDLE_SHA256=${a.sha256}

# Node.js 22 (Amazon Linux follows upstream support; 20 ended in April 2026) is namespaced on
# AL2023: the binary is node-22 whichever version "node" points at.
dnf install -y nodejs22 amazon-cloudwatch-agent logrotate

id -u web >/dev/null 2>&1 || useradd --system --home-dir /opt/web --no-create-home --shell /sbin/nologin web
install -d -m 0755 -o root -g root /opt/web
install -d -m 0750 -o web -g web /var/log/web

# The instance role may read only this bundle's prefix; the object is SSE-KMS with the platform key.
aws s3 cp --region ${a.region} --only-show-errors "s3://${a.bucket}/${a.key}" /opt/web/server.js
echo "\${BUNDLE_SHA256}  /opt/web/server.js" | sha256sum --check --strict --quiet -
chmod 0444 /opt/web/server.js

cat > /etc/systemd/system/web.service <<'UNIT'
[Unit]
Description=platform web service
Wants=network-online.target
After=network-online.target

[Service]
User=web
Group=web
Environment=NODE_ENV=production
Environment=PORT=${a.appPort}
Environment=LIVENESS_PATH=${a.livenessPath}
Environment=HEALTH_PATH=${a.healthPath}
Environment=SSM_PATH=${a.parameterPath}
Environment=AWS_REGION=${a.region}
ExecStart=/usr/bin/node-22 /opt/web/server.js
Restart=always
RestartSec=2
StandardOutput=append:/var/log/web/service.log
StandardError=append:/var/log/web/service.log
NoNewPrivileges=yes
CapabilityBoundingSet=
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
UNIT

cat > /etc/logrotate.d/web <<'ROTATE'
/var/log/web/service.log {
    daily
    rotate 3
    compress
    missingok
    notifempty
    copytruncate
}
ROTATE

cat > /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json <<'AGENT'
${agentConfig}
AGENT
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:/opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json

systemctl daemon-reload
systemctl enable --now web.service
systemctl enable --now logrotate.timer
`;
}
