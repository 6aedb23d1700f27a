function Test-OfflineSeedPrerequisite {
    <#
    .SYNOPSIS
    Checks that everything offline seeding needs is in place, before it starts.

    .DESCRIPTION
    One preflight for the whole workflow, instead of a list of prerequisites checked by hand. Each item
    is reported as an OfflineSeed.PrerequisiteCheck object with Status Pass, Warn or Fail, the Reason and
    the Fix, and a summary line goes to the Information stream:

      Staging   the staging location (local or UNC) is reachable and writable, with free space for the
                seed (the sources counted quickly with -Source, or -EstimatedSeedBytes).
      Drive     each shipping drive (-DriveLetter on Windows, read with Get-Volume, Get-Partition and
                Get-Disk; -DrivePath elsewhere) is at most 10 TB, NTFS, not the system or boot disk, not
                a virtual disk (a virtual machine's disks cannot be shipped), not behind USB; BitLocker
                is available on this computer.
      Shipping  the return address and return carrier account (given, or from the saved profile) are
                complete.
      Azure     Azure Resource Manager answers; the credential gets a token; the subscription is
                enabled; the resource group and storage account exist, the account's kind and region
                support import, the container name is valid; the Microsoft.DataBox (or, with
                -Service ImportExport, Microsoft.ImportExport) provider is registered; the identity may
                create jobs and read the account (Microsoft.Authorization permissions).

    -Offline runs the local checks only. A failed check is an answer, not an error: test the objects,
    for example (Test-OfflineSeedPrerequisite ... | Where-Object Status -eq 'Fail').

    .PARAMETER StagingPath
    Staging location to check (a local folder or a UNC path).

    .PARAMETER Source
    Folders that will be seeded; their files are counted (at most -ScanSeconds) to size the seed.

    .PARAMETER EstimatedSeedBytes
    Size of the data to seed, instead of counting -Source.

    .PARAMETER ScanSeconds
    Longest time spent counting -Source (default 10); past it the size is a lower bound.

    .PARAMETER DriveLetter
    Letters of the shipping drives to check (Windows).

    .PARAMETER DrivePath
    Mount points or folders standing for shipping drives (Linux and macOS, or rehearsals).

    .PARAMETER SourceIsVirtualMachine
    The data's computer is a virtual machine (default: whether this computer is one).

    .PARAMETER SubscriptionId
    Azure subscription of the storage account and job. Default: the credential profile's.

    .PARAMETER ResourceGroupName
    Resource group of the storage account and job.

    .PARAMETER StorageAccountName
    Storage account that receives the seed.

    .PARAMETER ContainerName
    Container that receives the seed.

    .PARAMETER Service
    The control plane the import job will use: DataBox (the default, as for New-OfflineSeedImportJob:
    Data Box customer disk jobs) or ImportExport (classic Azure Import/Export jobs). Alias -ControlPlane.

    .PARAMETER ReturnAddress
    Return address to check, as a hashtable (RecipientName, StreetAddress1, City, PostalCode,
    CountryOrRegion, Phone, Email, ...). Default: the saved profile's.

    .PARAMETER ReturnCarrierName
    Return carrier to check. Default: the saved profile's.

    .PARAMETER ReturnCarrierAccountNumber
    Return carrier account number to check. Default: the saved profile's.

    .PARAMETER ProfilePath
    Profile file to read. Default: the user's profile, then the machine's.

    .PARAMETER Offline
    Only the local checks: no network access.

    .PARAMETER Environment
    Azure cloud: AzureCloud (default), AzureUSGovernment or AzureChinaCloud.

    .PARAMETER CredentialProfile
    Name of a credential profile saved by New-OfflineSeedCredential: sign in as its application with its
    certificate (tenant, client id and certificate come from the profile).

    .PARAMETER TenantId
    Entra tenant of the service principal.

    .PARAMETER ClientId
    Application (client) id of the service principal.

    .PARAMETER ClientSecret
    Client secret of the service principal, as a SecureString.

    .PARAMETER CertificatePath
    PEM certificate (with its key) of the service principal.

    .PARAMETER AccessToken
    Azure Resource Manager access token, as a SecureString (Get-AzAccessToken).

    .EXAMPLE
    Test-OfflineSeedPrerequisite -StagingPath \\nas01\staging\fs01 -Source D:\Shares -DriveLetter E, F -SubscriptionId $sub -ResourceGroupName rg-backup -StorageAccountName seedstore -ContainerName offlineseed -CredentialProfile unattended

    Checks everything: staging, drives, return details and Azure, signing in as the saved application identity.

    .EXAMPLE
    Test-OfflineSeedPrerequisite -StagingPath S:\seed -EstimatedSeedBytes 4TB -DriveLetter E -Offline | Where-Object Status -ne 'Pass' | Format-List

    Shows only what needs attention, without touching the network.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a StagingPath property bind by property name.

    .OUTPUTS
    OfflineSeed.PrerequisiteCheck

    .NOTES
    Checks that cannot be made here (BitLocker on Linux, disk facts without the Storage cmdlets) are Warn
    with the reason, never a silent Pass.

    .LINK
    about_OfflineSeed

    .LINK
    New-OfflineSeedCredential

    .LINK
    Set-OfflineSeedProfile
    #>
    [CmdletBinding()]
    [OutputType('OfflineSeed.PrerequisiteCheck')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [ValidateNotNullOrEmpty()]
        [string] $StagingPath,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $Source,

        [Parameter()]
        [long] $EstimatedSeedBytes,

        [Parameter()]
        [ValidateRange(1, 3600)]
        [int] $ScanSeconds,

        [Parameter()]
        [ValidatePattern('^[A-Za-z]:?\\?$')]
        [string[]] $DriveLetter,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string[]] $DrivePath,

        [Parameter()]
        [switch] $SourceIsVirtualMachine,

        [Parameter()]
        [AllowEmptyString()]
        [string] $SubscriptionId,

        [Parameter()]
        [Alias('ResourceGroup')]
        [ValidateNotNullOrEmpty()]
        [string] $ResourceGroupName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $StorageAccountName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ContainerName,

        [Parameter()]
        [ValidateSet('DataBox', 'ImportExport')]
        [Alias('ControlPlane')]
        [string] $Service,

        [Parameter()]
        [ValidateNotNull()]
        [System.Collections.IDictionary] $ReturnAddress,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReturnCarrierName,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ReturnCarrierAccountNumber,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ProfilePath,

        [Parameter()]
        [switch] $Offline,

        [Parameter()]
        [ValidateSet('AzureCloud', 'AzureUSGovernment', 'AzureChinaCloud')]
        [string] $Environment,

        [Parameter()]
        [ValidatePattern('^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')]
        [string] $CredentialProfile,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $TenantId,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $ClientId,

        [Parameter()]
        [System.Security.SecureString] $ClientSecret,

        [Parameter()]
        [ValidateNotNullOrEmpty()]
        [string] $CertificatePath,

        [Parameter()]
        [System.Security.SecureString] $AccessToken
    )

    process {
        $params = @{}
        if ($PSBoundParameters.ContainsKey('StagingPath')) { $params['stagingPath'] = Resolve-OfflineSeedPath -Path $StagingPath }
        if ($PSBoundParameters.ContainsKey('Source')) { $params['sources'] = @(foreach ($item in $Source) { Resolve-OfflineSeedPath -Path $item }) }
        if ($PSBoundParameters.ContainsKey('EstimatedSeedBytes')) { $params['estimatedSeedBytes'] = $EstimatedSeedBytes }
        if ($PSBoundParameters.ContainsKey('ScanSeconds')) { $params['scanSeconds'] = $ScanSeconds }

        $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
        $drives = New-Object -TypeName System.Collections.Generic.List[string]
        $facts = New-Object -TypeName System.Collections.Generic.List[object]
        foreach ($item in @($DriveLetter)) {
            if ([string]::IsNullOrEmpty($item)) { continue }
            $letter = $item.Substring(0, 1).ToUpperInvariant()
            $root = $letter + ':\'
            $drives.Add($root)
            if (-not $onWindows) { continue }
            # The facts the engine cannot read on Windows: the volume, and the disk under it.
            $fact = [ordered]@{ path = $root }
            $volume = Get-Volume -DriveLetter $letter -ErrorAction SilentlyContinue
            if ($null -ne $volume) {
                $fact['fileSystem'] = [string]$volume.FileSystemType
                $fact['sizeBytes'] = [long]$volume.Size
            }
            $partition = Get-Partition -DriveLetter $letter -ErrorAction SilentlyContinue
            if ($null -ne $partition) {
                $disk = Get-Disk -Number $partition.DiskNumber -ErrorAction SilentlyContinue
                if ($null -ne $disk) {
                    $fact['sizeBytes'] = [long]$disk.Size
                    $fact['isSystemDisk'] = [bool]($disk.IsSystem -or $disk.IsBoot)
                    $fact['busType'] = [string]$disk.BusType
                    $fact['isVirtualDisk'] = [bool](([string]$disk.BusType -eq 'File Backed Virtual') -or ([string]$disk.Model -match 'Virtual Disk|VMware|QEMU|VBOX|Xen'))
                }
            }
            $facts.Add($fact)
        }
        foreach ($item in @($DrivePath)) {
            if (-not [string]::IsNullOrEmpty($item)) { $drives.Add((Resolve-OfflineSeedPath -Path $item)) }
        }
        if ($drives.Count -gt 0) {
            $params['drives'] = $drives.ToArray()
            if ($facts.Count -gt 0) { $params['driveFacts'] = $facts.ToArray() }
            if ($onWindows) {
                $computer = [ordered]@{}
                $system = Get-CimInstance -ClassName Win32_ComputerSystem -ErrorAction SilentlyContinue
                if ($null -ne $system) {
                    $computer['isVirtualMachine'] = [bool](([string]$system.Model -match 'Virtual|VMware|KVM|HVM|QEMU') -or ([string]$system.Manufacturer -match 'Xen|QEMU|innotek'))
                }
                $manageBde = Join-Path -Path $env:SystemRoot -ChildPath 'System32\manage-bde.exe'
                $computer['bitLockerAvailable'] = [bool]((Get-Command -Name Enable-BitLocker -ErrorAction SilentlyContinue) -or (Test-Path -LiteralPath $manageBde))
                $params['computer'] = $computer
            }
        }
        if ($SourceIsVirtualMachine) { $params['sourceIsVirtualMachine'] = $true }

        if (-not [string]::IsNullOrEmpty($SubscriptionId)) { $params['subscriptionId'] = $SubscriptionId }
        if ($PSBoundParameters.ContainsKey('ResourceGroupName')) { $params['resourceGroup'] = $ResourceGroupName }
        if ($PSBoundParameters.ContainsKey('StorageAccountName')) { $params['storageAccount'] = $StorageAccountName }
        if ($PSBoundParameters.ContainsKey('ContainerName')) { $params['container'] = $ContainerName }
        if ($PSBoundParameters.ContainsKey('Service')) { $params['service'] = $Service }
        if ($PSBoundParameters.ContainsKey('ReturnAddress')) {
            # The engine's field names are camelCase (recipientName); accept RecipientName as well.
            $address = [ordered]@{}
            foreach ($key in @($ReturnAddress.Keys)) {
                $name = [string]$key
                $address[$name.Substring(0, 1).ToLowerInvariant() + $name.Substring(1)] = [string]$ReturnAddress[$key]
            }
            $params['returnAddress'] = $address
        }
        if ($PSBoundParameters.ContainsKey('ReturnCarrierName') -or $PSBoundParameters.ContainsKey('ReturnCarrierAccountNumber')) {
            $shipping = [ordered]@{}
            if ($PSBoundParameters.ContainsKey('ReturnCarrierName')) { $shipping['carrierName'] = $ReturnCarrierName }
            if ($PSBoundParameters.ContainsKey('ReturnCarrierAccountNumber')) { $shipping['carrierAccountNumber'] = $ReturnCarrierAccountNumber }
            $params['returnShipping'] = $shipping
        }
        if ($PSBoundParameters.ContainsKey('ProfilePath')) { $params['profilePath'] = Resolve-OfflineSeedPath -Path $ProfilePath }
        if ($Offline) { $params['offline'] = $true }
        if ($PSBoundParameters.ContainsKey('AccessToken')) { $params['accessToken'] = $AccessToken }
        Add-OfflineSeedAzureAccess -Parameters $params -BoundParameters $PSBoundParameters
        Write-Verbose -Message 'Checking the prerequisites of offline seeding.'
        Invoke-OfflineSeedEngine -Command 'preflight.run' -Parameters $params -Cmdlet $PSCmdlet
    }
}
