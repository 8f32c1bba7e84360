#!/bin/sh
# Lets the receiver's container connect for replication (the image's pg_hba.conf allows it only locally).
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
