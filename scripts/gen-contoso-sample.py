import json
devs=[]
rid=16777300
def dev(name, client=True, os="Microsoft Windows 11 Enterprise", co=False, tags=None, groups=None, aad=None):
    global rid
    rid+=1
    d={"resource_id":rid,"name":name,"client":client,"os":os}
    if co: d["co_managed"]=True
    if tags is not None: d["scope_tags"]=tags
    if groups: d["scope_groups"]=groups
    if aad: d["entra_device_id"]=aad
    devs.append(d); return rid
PARIS_DEV="3c1e6a10-0000-4000-8000-00000000d001"
ws=[dev("CON-WS-%03d"%i, co=(i<=3), tags=(["0","1"] if i<=3 else None), groups=([PARIS_DEV] if i<=2 else None), aad=("8d2f0000-0000-4000-8000-0000000000%02d"%i if i<=3 else None)) for i in range(1,9)]
lt=[dev("CON-LT-%03d"%i, client=(i!=6)) for i in range(1,7)]
srv=[dev("CON-SRV-DC01",os="Microsoft Windows Server 2022 Datacenter"),
     dev("CON-SRV-SQL01",os="Microsoft Windows Server 2022 Datacenter"),
     dev("CON-SRV-FS01",os="Microsoft Windows Server 2019 Standard"),
     dev("CON-SRV-WEB01",os="Microsoft Windows Server 2022 Standard"),
     dev("CON-SRV-WEB02",os="Microsoft Windows Server 2022 Standard", client=False)]
kiosk=[dev("CON-KIOSK-01",os="Microsoft Windows 10 Enterprise LTSC"), dev("CON-KIOSK-02",os="Microsoft Windows 10 Enterprise LTSC", client=False)]
lab=[dev("CON-LAB-01"), dev("CON-LAB-02", tags=[]), dev("CON-LAB-03")]
allids=[d["resource_id"] for d in devs]
assert len(devs)==24, len(devs)
C=[]
def coll(id,name,limiting,rules,kind="device"):
    C.append({"id":id,"name":name,"type":kind,"limiting":limiting,"rules":rules})
coll("SMS00001","All Systems",None,[{"query":{"name":"All Systems","wql":"select * from SMS_R_System","members":allids}}])
coll("SMS00002","All Users",None,[{"query":{"name":"All Users","wql":"select * from SMS_R_User","members":[]}}],kind="user")
coll("PS100010","All Workstations","SMS00001",[{"query":{"name":"Client OS","wql":"select SMS_R_System.ResourceID from SMS_R_System where SMS_R_System.OperatingSystemNameandVersion like '%Workstation%'","members":ws+lt+kiosk+lab}}])
coll("PS100011","Desktops","PS100010",[{"query":{"name":"Desktop names","wql":"select SMS_R_System.ResourceID from SMS_R_System where SMS_R_System.Name like 'CON-WS-%'","members":ws}}])
coll("PS100012","Laptops","PS100010",[{"query":{"name":"Laptop names","wql":"select SMS_R_System.ResourceID from SMS_R_System where SMS_R_System.Name like 'CON-LT-%'","members":lt}}])
coll("PS100013","Kiosks","PS100010",[{"direct":kiosk}])
coll("PS100014","Lab machines","PS100010",[{"direct":lab}])
coll("PS100015","Production workstations","PS100010",[{"include":"PS100011"},{"include":"PS100012"},{"exclude":"PS100014"}])
coll("PS100020","Tenant attach upload","SMS00001",[{"include":"PS100015"},{"include":"PS100013"},{"direct":[lab[1]]}])
coll("PS100021","Pilot ring","PS100020",[{"direct":[ws[0],ws[1],lt[0]]}])
coll("PS100022","Upload plus SQL","SMS00001",[{"include":"PS100020"},{"direct":[srv[1]]}])
coll("PS100030","All Servers","SMS00001",[{"query":{"name":"Server OS","wql":"select SMS_R_System.ResourceID from SMS_R_System where SMS_R_System.OperatingSystemNameandVersion like '%Server%'","members":srv}}])
coll("PS100031","Web servers","PS100030",[{"direct":[srv[3],srv[4]]}])
coll("PS100032","Tier-1 servers","PS100030",[{"query":{"name":"Server OS","wql":"select SMS_R_System.ResourceID from SMS_R_System where SMS_R_System.OperatingSystemNameandVersion like '%Server%'","members":srv}},{"exclude":"PS100031"},{"exclude":"PS100033"}])
coll("PS100033","Domain controllers","PS100030",[{"direct":[srv[0]]}])
U=lambda n:"5f0c1d9e-0000-4000-8000-0000000000%02d"%n
G=lambda n:"0a1b2c3d-0000-4000-8000-0000000000%02d"%n
snap={
 "schema":"tenant-attach.snapshot/1",
 "tenant":{"use_intune_rbac":True,"intune_permission_merge":"merged"},
 "hierarchy":{"name":"Contoso","site_code":"PS1","version":2403,"cloud":"public","online":True,"healthy":True,"co_management":True,
   "attach":{"state":"attached","upload":{"collection":"PS100020"},"enforce_configmgr_rbac":True,"endpoint_analytics":False,"defender_data":False},
   "discovery":{"ad_users":True,"entra_users":True}},
 "devices":devs,
 "collections":C,
 "configmgr":{
   "roles":[
     {"id":"SMS0001R","name":"Full Administrator","collection_operations":["read","modify","delete","create","read_resource","modify_resource","delete_resource","notify_resource","remote_control","run_script","run_cmpivot","read_bitlocker_recovery_key","deploy_applications","modify_collection_setting","enforce_security","control_amt"],"class_operations":{}},
     {"id":"SMS0002R","name":"Read-only Analyst","collection_operations":["read","read_resource"],"class_operations":{"application":["read"],"site":["read"],"scripts":["read"]}},
     {"id":"PS100001","name":"Contoso Help Desk","collection_operations":["read","read_resource","notify_resource","remote_control"],"class_operations":{"application":["read","approve"]}},
     {"id":"PS100002","name":"Contoso Server Operator","collection_operations":["read","read_resource","notify_resource","run_script","run_cmpivot"],"class_operations":{"site":["read"],"scripts":["read"]}}],
   "admins":[
     {"id":16777217,"account":"CONTOSO\\CM-Admins","sid":"S-1-5-21-1004336348-1177238915-682003330-1101","is_group":True,"association_mode":"cross_product","roles":["SMS0001R"],"collections":["SMS00001","SMS00002"],"scopes":["SMS00ALL"],"associations":[]},
     {"id":16777218,"account":"CONTOSO\\CM-Helpdesk","sid":"S-1-5-21-1004336348-1177238915-682003330-1105","is_group":True,"association_mode":"cross_product","roles":["PS100001"],"collections":["PS100010"],"scopes":["SMS00UNA"],"associations":[]},
     {"id":16777219,"account":"CONTOSO\\CM-ServerOps","sid":"S-1-5-21-1004336348-1177238915-682003330-1107","is_group":True,"association_mode":"specific","roles":["PS100002","SMS0002R"],"collections":["PS100032","PS100030"],"scopes":["SMS00UNA"],
      "associations":[{"role":"PS100002","collections":["PS100032"]},{"role":"SMS0002R","collections":["PS100030"]}]},
     {"id":16777220,"account":"CONTOSO\\bob","sid":"S-1-5-21-1004336348-1177238915-682003330-2002","is_group":False,"association_mode":"cross_product","roles":["SMS0002R"],"collections":["PS100011"],"scopes":["SMS00UNA"],"associations":[]}],
   "users":[
     {"sid":"S-1-5-21-1004336348-1177238915-682003330-2001","discovered_by":["ad","entra"]},
     {"sid":"S-1-5-21-1004336348-1177238915-682003330-2002","discovered_by":["ad"]},
     {"sid":"S-1-5-21-1004336348-1177238915-682003330-2003","discovered_by":["ad","entra"]},
     {"sid":"S-1-5-21-1004336348-1177238915-682003330-2004","discovered_by":["entra"]},
     {"sid":"S-1-5-21-1004336348-1177238915-682003330-2007","discovered_by":["ad","entra"]}],
   "scripts":[
     {"id":"8f3a2c6e-0000-4000-8000-000000000001","name":"Restart print spooler","approved":True,"has_parameters":False,"scopes":["SMS00UNA"]},
     {"id":"8f3a2c6e-0000-4000-8000-000000000002","name":"Collect client logs","approved":True,"has_parameters":True,"scopes":["SMS00UNA"]},
     {"id":"8f3a2c6e-0000-4000-8000-000000000003","name":"Reset WMI repository","approved":False,"has_parameters":False,"scopes":["SMS00UNA"]}]},
 "entra":{
   "users":[
     {"id":U(1),"upn":"alice@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2001","on_premises_group_sids":["S-1-5-21-1004336348-1177238915-682003330-1105"],"directory_roles":[]},
     {"id":U(2),"upn":"bob@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2002","on_premises_group_sids":[],"directory_roles":[]},
     {"id":U(3),"upn":"carol@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2003","on_premises_group_sids":["S-1-5-21-1004336348-1177238915-682003330-1107"],"directory_roles":[]},
     {"id":U(4),"upn":"dave@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2004","on_premises_group_sids":["S-1-5-21-1004336348-1177238915-682003330-1101"],"directory_roles":["global_administrator"]},
     {"id":U(5),"upn":"erin@contoso.com","on_premises_sid":None,"on_premises_group_sids":[],"directory_roles":[]},
     {"id":U(6),"upn":"frank@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2006","on_premises_group_sids":["S-1-5-21-1004336348-1177238915-682003330-1105"],"directory_roles":[]},
     {"id":U(7),"upn":"grace@contoso.com","on_premises_sid":"S-1-5-21-1004336348-1177238915-682003330-2007","on_premises_group_sids":["S-1-5-21-1004336348-1177238915-682003330-1105"],"directory_roles":[]}],
   "groups":[
     {"id":G(1),"name":"Intune Helpdesk","members":[U(1),U(5),G(2)]},
     {"id":G(2),"name":"Helpdesk Tier 2","members":[U(2),U(6)]},
     {"id":G(3),"name":"Server Operators","members":[U(3)]},
     {"id":G(4),"name":"Paris IT","members":[U(7)]},
     {"id":G(5),"name":"Intune Admins","members":[U(4)]},
     {"id":PARIS_DEV,"name":"Paris devices","members":[]}]},
 "intune":{
   "scope_tags":[{"id":"0","name":"Default"},{"id":"1","name":"Paris"}],
   "role_definitions":[
     {"id":"9e0cc482-82df-4ab2-a24c-0c23a3f52e1e","name":"Help Desk Operator","built_in":True,"permissions":["Microsoft.Intune_Organization_Read","Microsoft.Intune_ManagedDevices_Read","Microsoft.Intune_RemoteTasks_ConfigurationManagerAction","Microsoft.Intune_CloudAttach_ClientDetails","Microsoft.Intune_CloudAttach_Collections","Microsoft.Intune_CloudAttach_ResourceExplorer","Microsoft.Intune_CloudAttach_Timeline","Microsoft.Intune_CloudAttach_SoftwareUpdates","Microsoft.Intune_CloudAttach_Scripts","Microsoft.Intune_CloudAttach_ScriptActions","Microsoft.Intune_CloudAttach_CMPivot","Microsoft.Intune_CloudAttach_Applications","Microsoft.Intune_CloudAttach_ApplicationActions","Microsoft.Intune_CloudAttach_EnrollNow"]},
     {"id":"fa1d7878-e8cb-41a1-8254-0142355c9f84","name":"Read Only Operator","built_in":True,"permissions":["Microsoft.Intune_Organization_Read","Microsoft.Intune_ManagedDevices_Read","Microsoft.Intune_CloudAttach_ClientDetails","Microsoft.Intune_CloudAttach_Collections","Microsoft.Intune_CloudAttach_ResourceExplorer","Microsoft.Intune_CloudAttach_Timeline","Microsoft.Intune_CloudAttach_SoftwareUpdates","Microsoft.Intune_CloudAttach_Scripts","Microsoft.Intune_CloudAttach_Applications"]},
     {"id":"7e5b2c11-0000-4000-8000-00000000r001","name":"Cloud Attach Server Operator","built_in":False,"permissions":["Microsoft.Intune_ManagedDevices_Read","Microsoft.Intune_RemoteTasks_ConfigurationManagerAction","Microsoft.Intune_CloudAttach_ClientDetails","Microsoft.Intune_CloudAttach_Scripts","Microsoft.Intune_CloudAttach_ScriptActions","Microsoft.Intune_CloudAttach_CMPivot","Microsoft.Intune_CloudAttach_Timeline"]},
     {"id":"7e5b2c11-0000-4000-8000-00000000r002","name":"Tenant Attach Owner","built_in":False,"permissions":["Microsoft.Intune_Organization_Read","Microsoft.Intune_Organization_Delete","Microsoft.Intune_ManagedDevices_Read"]}],
   "role_assignments":[
     {"id":"b7e2d7a4-0000-4000-8000-000000000001","name":"Helpdesk - all devices","role":"9e0cc482-82df-4ab2-a24c-0c23a3f52e1e","members":[G(1)],"scope":{"all_devices":True},"scope_tags":["0"]},
     {"id":"b7e2d7a4-0000-4000-8000-000000000002","name":"Server operators","role":"7e5b2c11-0000-4000-8000-00000000r001","members":[G(3)],"scope":{"all_devices":True},"scope_tags":["0"]},
     {"id":"b7e2d7a4-0000-4000-8000-000000000003","name":"Paris helpdesk","role":"9e0cc482-82df-4ab2-a24c-0c23a3f52e1e","members":[G(4)],"scope":{"groups":[PARIS_DEV]},"scope_tags":["1"]},
     {"id":"b7e2d7a4-0000-4000-8000-000000000004","name":"Tenant attach owners","role":"7e5b2c11-0000-4000-8000-00000000r002","members":[G(5)],"scope":{"all_devices":True},"scope_tags":[]}]},
 "policy":{"child_relations":["limiting","include","exclude"],"untagged_assignment":"all_tags","scope_groups_apply_to_attached":False,"intune_only_ignores_scope_tags":False,"configmgr_gates_view":True,"discovery_required":"by_feature","combined_page_permissions":"view","features":{}},
 "x":{"description":"Contoso: the built-in sample hierarchy of tenant-attach (hand-written, realistic in shape)"}
}
print(json.dumps(snap,indent=2))
