import xml.etree.ElementTree as ET
from tests.openrosa.conftest import fill_instance, new_instance_id, valid_answers


def test_smoke(collect, api):
    c = collect
    r = c.get('formList'); print(r.status_code, r.headers); print(r.data[:1500].decode())
    root = ET.fromstring(r.data)
    ns='{http://openrosa.org/xforms/xformsList}'
    x = root.find(ns+'xform')
    fid = x.find(ns+'formID').text
    dl = c.get_url(x.find(ns+'downloadUrl').text); print(dl.status_code, len(dl.data))
    vid = int(fid.split('-')[1])
    ans = valid_answers(api, vid)
    print(ans)
    xml = fill_instance(dl.data, ans, new_instance_id())
    print(xml[:3000])
    h = c.head(); print(h.status_code, h.headers)
    p = c.post(xml); print(p.status_code, p.data.decode())
    print(api.get(f'/api/v1/visits/{vid}', 'member25').get_json())
    assert 0
