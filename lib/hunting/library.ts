/**
 * The starter hunts every analyst sees on the Hunting page: common MSSP hunts, written in the KQL subset the
 * simulator documents (docs/hunting.md) so each one runs in the demo as it would against Microsoft. Tables and
 * columns as in Microsoft's advanced hunting schema reference (defender-xdr advanced-hunting-*-table.md). None
 * filters on time itself: the form's time range (Timespan) decides.
 */
export interface StarterHunt {
  key: string;
  name: string;
  description: string;
  query: string;
}

export const STARTER_HUNTS: readonly StarterHunt[] = [
  {
    key: "encoded-powershell",
    name: "Encoded PowerShell",
    description: "PowerShell started with an encoded command line, a common way to hide what a script does.",
    query: `DeviceProcessEvents
| where FileName =~ "powershell.exe" or FileName =~ "pwsh.exe"
| where ProcessCommandLine contains "-EncodedCommand" or ProcessCommandLine contains " -enc "
| project Timestamp, DeviceName, AccountName, ProcessCommandLine, InitiatingProcessFileName
| sort by Timestamp desc`,
  },
  {
    key: "new-local-admin",
    name: "New local administrator",
    description: "Accounts added to the local Administrators group with net.exe.",
    query: `DeviceProcessEvents
| where ProcessCommandLine has "localgroup" and ProcessCommandLine has "administrators" and ProcessCommandLine has "/add"
| project Timestamp, DeviceName, AccountName, ProcessCommandLine
| sort by Timestamp desc`,
  },
  {
    key: "rundll32-user-paths",
    name: "rundll32 loading from user folders",
    description: "rundll32.exe running a DLL from a user-writable folder (AppData, Temp, Downloads).",
    query: `DeviceProcessEvents
| where FileName =~ "rundll32.exe"
| where ProcessCommandLine contains "AppData" or ProcessCommandLine contains "Temp" or ProcessCommandLine contains "Downloads"
| project Timestamp, DeviceName, AccountName, ProcessCommandLine, InitiatingProcessFileName
| sort by Timestamp desc`,
  },
  {
    key: "mass-file-renames",
    name: "Mass file renames (ransomware)",
    description: "Devices where one process renamed many files: a ransomware pattern.",
    query: `DeviceFileEvents
| where ActionType == "FileRenamed"
| summarize Renames = count(), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by DeviceName, InitiatingProcessFileName
| where Renames > 50
| sort by Renames desc`,
  },
  {
    key: "signins-many-countries",
    name: "Sign-ins from several countries",
    description: "Accounts that signed in successfully from more than one country in the period.",
    query: `IdentityLogonEvents
| where ActionType == "LogonSuccess"
| summarize Countries = dcount(Location), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by AccountUpn
| where Countries > 1
| sort by Countries desc`,
  },
  {
    key: "failed-logons",
    name: "Repeated failed sign-ins",
    description: "Accounts with several failed sign-ins, and from how many addresses: brute force or password spraying.",
    query: `IdentityLogonEvents
| where ActionType == "LogonFailed"
| summarize Failures = count(), Addresses = dcount(IPAddress), LastFailure = max(Timestamp) by AccountUpn
| where Failures >= 3
| sort by Failures desc`,
  },
  {
    key: "office-child-processes",
    name: "Office apps starting script hosts",
    description: "Word, Excel or Outlook starting PowerShell, cmd, wscript or mshta: a macro or exploit at work.",
    query: `DeviceProcessEvents
| where InitiatingProcessFileName in ("winword.exe", "excel.exe", "outlook.exe", "WINWORD.EXE", "EXCEL.EXE", "OUTLOOK.EXE")
| where FileName in ("powershell.exe", "cmd.exe", "wscript.exe", "mshta.exe")
| project Timestamp, DeviceName, AccountName, InitiatingProcessFileName, FileName, ProcessCommandLine
| sort by Timestamp desc`,
  },
  {
    key: "powershell-network",
    name: "PowerShell connecting out",
    description: "Outbound connections made by PowerShell (downloads, C2), with remote-shell ports called out by the port column.",
    query: `DeviceNetworkEvents
| where InitiatingProcessFileName =~ "powershell.exe" or InitiatingProcessFileName =~ "pwsh.exe" or RemotePort in (4444, 1337, 31337)
| project Timestamp, DeviceName, RemoteIP, RemotePort, RemoteUrl, InitiatingProcessCommandLine
| sort by Timestamp desc`,
  },
  {
    key: "phish-delivered",
    name: "Phishing e-mail delivered",
    description: "Messages Defender for Office 365 marked as phishing that still reached a mailbox.",
    query: `EmailEvents
| where ThreatTypes has "Phish" and DeliveryAction == "Delivered"
| project Timestamp, RecipientEmailAddress, SenderFromAddress, Subject, ThreatTypes
| sort by Timestamp desc`,
  },
  {
    key: "high-alerts-by-title",
    name: "High-severity alerts by title",
    description: "Which high-severity detections fire most, per customer.",
    query: `AlertInfo
| where Severity == "High"
| summarize Alerts = count(), LastSeen = max(Timestamp) by Title, ServiceSource
| sort by Alerts desc`,
  },
  {
    key: "device-inventory",
    name: "Device inventory",
    description: "Every device seen, with its platform: a quick census across customers.",
    query: `DeviceInfo
| summarize LastSeen = max(Timestamp) by DeviceName, OSPlatform
| sort by DeviceName asc`,
  },
];

export function findStarterHunt(key: string): StarterHunt | undefined {
  return STARTER_HUNTS.find((h) => h.key === key);
}
