#!/usr/bin/env python3
# A MongoDB wire-protocol peer for the storage-mongo tests, built on MongoDB's own mock (mockupdb; Debian package
# python3-mockupdb). It plays the primary of a one-member replica set, answers every command with a canned reply
# chosen by command and collection name, and prints each command it receives as one canonical Extended JSON line,
# so a test sees exactly what the real driver put on the wire. It evaluates no query: replies are fixtures.
# Reply shapes follow the server's documented command replies and the specs the driver implements:
#   hello: https://www.mongodb.com/docs/manual/reference/command/hello/ (setName/hosts/primary make it a replica set,
#          https://github.com/mongodb/specifications/blob/master/source/server-discovery-and-monitoring/server-discovery-and-monitoring.md)
#   cursors: https://www.mongodb.com/docs/manual/reference/command/find/#output (driver 7 reads cursor.id as an int64)
#   writeConcernError: https://www.mongodb.com/docs/manual/reference/write-concern/ and the driver's MongoWriteConcernError
#   moreToCome: https://github.com/mongodb/specifications/blob/master/source/message/OP_MSG.md (no reply is sent)
import datetime
import sys

from bson import Int64, ObjectId, json_util
from mockupdb import MockupDB

LEGACY_ID = ObjectId("65a1b2c3d4e5f60718293a4b")
# What 1.x (Mongoose, default schema options) left: ObjectId _id, camelCase Date timestamps, __v, no 2.0 fields.
LEGACY = {
    "_id": LEGACY_ID,
    "provider": "slack",
    "account_id": "acct-1",
    "created_by": "user-1",
    "scopes": ["chat:write"],
    "credentials": {"access_token": "xoxb-plain"},
    "createdAt": datetime.datetime(2025, 5, 1, 10, 0, 0),
    "updatedAt": datetime.datetime(2025, 5, 2, 10, 0, 0),
    "__v": 0,
}
CURRENT = {
    "_id": "int-current",
    "provider": "jira",
    "account_id": "acct-1",
    "created_by": "user-1",
    "auth_type": "oauth2",
    "status": "active",
    "scopes": ["read:jira-work"],
    "credentials": {},
    "metadata": {"cloud_id": "cloud-a"},
    "natural_key": "cloud-a",
    "version": 3,
    "created_at": "2026-01-01T00:00:00.000Z",
    "updated_at": "2026-02-01T00:00:00.000Z",
}
# A record of an Atlassian grant family: its grant key (Atlassian user) next to the natural key (site).
FAMILY = dict(CURRENT, _id="int-family", grant_key="atlassian:alice", metadata={"cloud_id": "cloud-a", "atlassian_account_id": "alice"})
# find / findAndModify answers by collection name.
FIND = {"legacy": [LEGACY], "current": [CURRENT], "stale": [CURRENT], "mixed": [CURRENT, LEGACY], "family": [FAMILY]}
MODIFY = {"current": CURRENT}


def main():
    server = MockupDB(port=None, request_timeout=3600)
    port = server.run()
    address = "localhost:%d" % port
    print(json_util.dumps({"port": port}), flush=True)
    while True:
        request = server.receives(timeout=3600)
        name = request.command_name or ""
        body = request.doc
        if name.lower() in ("ismaster", "hello"):
            request.replies(
                ok=1, ismaster=True, isWritablePrimary=True, helloOk=True, setName="rs0", hosts=[address], me=address,
                primary=address, setVersion=1, electionId=ObjectId("7fffffff0000000000000001"), minWireVersion=0,
                maxWireVersion=21, maxBsonObjectSize=16777216, maxMessageSizeBytes=48000000, maxWriteBatchSize=100000,
                logicalSessionTimeoutMinutes=30, localTime=datetime.datetime.utcnow(), connectionId=1,
            )
            continue
        print(json_util.dumps({"command": name, "body": body}, json_options=json_util.CANONICAL_JSON_OPTIONS), flush=True)
        # Reply only once the test has the line (it acknowledges on stdin), so no reply can overtake its log line.
        sys.stdin.readline()
        if (request.flags or 0) & 2:
            continue  # moreToCome (endSessions with w: 0): the client expects no reply.
        collection = body.get(name) if isinstance(body.get(name), str) else ""
        if collection.startswith("fail_"):
            # fail_<code>[_<label>]: a server error with that code and, optionally, that error label.
            parts = collection.split("_")
            labels = [parts[2]] if len(parts) > 2 else []
            request.replies(ok=0, code=int(parts[1]), errmsg="mock failure", errorLabels=labels)
        elif collection == "write_concern" and name in ("insert", "update", "delete", "findAndModify"):
            # The write was applied on the primary, but replication to a majority was not confirmed in time.
            request.replies(ok=1, n=1, writeConcernError={"code": 64, "codeName": "WriteConcernTimeout", "errmsg": "waiting for replication timed out", "errInfo": {"wtimeout": True}})
        elif name == "find":
            request.replies(ok=1, cursor={"id": Int64(0), "ns": "%s.%s" % (body.get("$db"), collection), "firstBatch": FIND.get(collection, [])})
        elif name == "aggregate":
            request.replies(ok=1, cursor={"id": Int64(0), "ns": "%s.%s" % (body.get("$db"), collection), "firstBatch": []})
        elif name == "findAndModify":
            value = MODIFY.get(collection)
            request.replies(ok=1, value=value, lastErrorObject={"n": 1 if value else 0, "updatedExisting": bool(value)})
        elif name in ("insert", "delete", "update"):
            request.replies(ok=1, n=1, nModified=1)
        else:
            request.replies(ok=1)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(0)
