"""Runs the network plugin's default-security-group function (index.py in the folder given as the
first argument) against moto's in-process EC2: Create and Update empty the default group of a new
VPC, Delete puts AWS's default rules back, a missing group answers FAILED. Every answer the function
sends to CloudFormation's pre-signed URL is caught by a local HTTP server. Prints one JSON object."""
import json, sys, threading, os
from http.server import BaseHTTPRequestHandler, HTTPServer
os.environ.update(AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="x", AWS_SECRET_ACCESS_KEY="x")
from moto import mock_aws
answers = []
class H(BaseHTTPRequestHandler):
    def do_PUT(self):
        answers.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
srv = HTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
with mock_aws():
    import boto3
    sys.path.insert(0, sys.argv[1])
    import index
    ec2 = boto3.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]
    def rules():
        g = ec2.describe_security_groups(GroupIds=[sg["GroupId"]])["SecurityGroups"][0]
        return len(g["IpPermissions"]), len(g["IpPermissionsEgress"])
    class Ctx: log_stream_name = "stream"
    def event(kind, group=sg["GroupId"]):
        return {"RequestType": kind, "ResourceProperties": {"SecurityGroupId": group}, "ResponseURL": f"http://127.0.0.1:{srv.server_port}/r",
                "StackId": "s", "RequestId": "r", "LogicalResourceId": "L", "PhysicalResourceId": group}
    out = {"before": rules()}
    index.handler(event("Create"), Ctx()); out["afterCreate"] = rules()
    index.handler(event("Update"), Ctx()); out["afterUpdate"] = rules()
    index.handler(event("Delete"), Ctx()); out["afterDelete"] = rules()
    index.handler(event("Create", "sg-00000000000000000"), Ctx())
    out["answers"] = [(a["Status"], a["PhysicalResourceId"]) for a in answers]
    out["group"] = sg["GroupId"]
    print(json.dumps(out))
