"""Checks a running wangge server with the `georeport` Open311 client library (PyPI).

Run by tests/api/open311_client.rs with BASE_URL (…/open311/v2), API_KEY, LAT, LONG in the
environment. georeport 0.3.1 reads services, definitions and requests but cannot create a request,
so the post goes through `requests` (georeport's own HTTP library) to the root address the client
holds, as the GeoReport v2 spec describes it (form-encoded, api_key in the form). Exits non-zero
with a message on the first mismatch.
"""

import os
import sys

import requests
from georeport import GeoReport


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)


def main():
    base, key = os.environ["BASE_URL"], os.environ["API_KEY"]
    lat, lon = os.environ["LAT"], os.environ["LONG"]
    client = GeoReport(base, api_key=key)

    services = client.get_service_list()
    codes = {s["service_code"]: s for s in services}
    check("0403" in codes, f"0403 among the services: {sorted(codes)}")
    s = codes["0403"]
    for field in ["service_name", "description", "metadata", "type", "keywords", "group"]:
        check(field in s, f"service field {field}: {s}")
    check(s["type"] == "realtime", f"type realtime: {s}")

    definition = client.get_service_definition("0403")
    check(definition["service_code"] == "0403", f"definition code: {definition}")
    check([a["code"] for a in definition["attributes"]] == ["grid"], f"attributes: {definition}")

    # The same list in XML, parsed by the library's XML path.
    xml_services = GeoReport(base, output_format="xml").get_service_list()
    check(any(x["service_code"] == "0403" for x in xml_services), f"XML services: {xml_services}")

    description = "小区东门下水道堵了，污水漫到路面上，已经两天了"
    form = {
        "api_key": client.api_key,
        "service_code": "0403",
        "lat": lat,
        "long": lon,
        "description": description,
        "phone": "13800001111",
        "media_url": "https://img.example.com/drain.jpg",
    }
    r = requests.post(f"{client.root_address}/requests.json", data=form)
    check(r.status_code == 201, f"post status {r.status_code}: {r.text}")
    posted = r.json()[0]
    request_id = posted["service_request_id"]
    check(len(request_id) == 10, f"service_request_id: {posted}")

    # Without the key: 403 in the spec's shape.
    r = requests.post(f"{client.root_address}/requests.json", data={**form, "api_key": "wrong"})
    check(r.status_code == 403, f"post without a valid key: {r.status_code} {r.text}")
    check(r.json()[0]["code"] == 403, f"error shape: {r.text}")

    one = client.get_service_request(request_id)
    check(one["service_request_id"] == request_id, f"read back: {one}")
    check(one["status"] == "open", f"status: {one}")
    check(one["service_code"] == "0403", f"service_code: {one}")
    check(one["description"] == description, f"description: {one}")
    check(one["requested_datetime"].endswith("+08:00"), f"requested_datetime: {one}")
    check(one["expected_datetime"].endswith("+08:00"), f"expected_datetime: {one}")
    check(abs(float(one["lat"]) - float(lat)) < 1e-9 and abs(float(one["long"]) - float(lon)) < 1e-9, f"lat/long: {one}")
    check(one["media_url"] == form["media_url"], f"media_url: {one}")
    check("13800001111" not in str(one), f"no phone in the answer: {one}")

    listed = client.get_service_requests(service_request_id=request_id)
    check([x["service_request_id"] for x in listed] == [request_id], f"list by id: {listed}")
    check(client.get_service_requests(status="closed") == [], "nothing closed yet")
    xml_one = GeoReport(base, output_format="xml").get_service_request(request_id)
    check(xml_one["service_request_id"] == request_id and xml_one["status"] == "open", f"XML request: {xml_one}")

    token = requests.get(f"{client.root_address}/tokens/{posted['token']}.json").json()
    check(token == [{"token": posted["token"], "service_request_id": request_id}], f"token: {token}")
    print(f"ok {request_id}")


if __name__ == "__main__":
    main()
